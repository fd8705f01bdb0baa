# MidasEmulator: docker build -t midas-emulator . && docker run -p 127.0.0.1:8080:8080 -v midas-data:/data midas-emulator

# Build stage: restore from the project and build-policy files alone (a layer that survives source
# edits), then publish ReadyToRun (precompiled: a faster start). .editorconfig is build policy too.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Emulator/Emulator.csproj Emulator/
RUN dotnet restore Emulator/Emulator.csproj -r linux-x64 -p:PublishReadyToRun=true
COPY seed-data/ seed-data/
COPY Emulator/ Emulator/
RUN dotnet publish Emulator/Emulator.csproj -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    --no-restore -o /app

# Runtime stage: ASP.NET runtime only, non-root, the LiteDB file on the /data volume, the seed data
# baked in at /app/seed-data/seed.json (mount a file there, or point Midas__SeedFile elsewhere).
FROM mcr.microsoft.com/dotnet/aspnet:10.0
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="MidasEmulator" \
      org.opencontainers.image.description="Local stand-in for the WeChat mini-game Midas virtual-currency API (getbalance, pay, cancelpay, present) with fault injection, for backend integration tests" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.base.name="mcr.microsoft.com/dotnet/aspnet:10.0"
WORKDIR /app
RUN mkdir /data && chown $APP_UID:$APP_UID /data
COPY --from=build /app .
# Every interface on 8080 inside the container (outside one the emulator's default is 127.0.0.1:8080).
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Midas__Database=/data/midas.db \
    Midas__SeedFile=/app/seed-data/seed.json
VOLUME /data
EXPOSE 8080
USER $APP_UID
# The runtime image has no curl or wget: the emulator checks itself (and sends Midas__AdminToken if set).
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 \
    CMD ["dotnet", "/app/MidasEmulator.dll", "--probe"]
ENTRYPOINT ["dotnet", "/app/MidasEmulator.dll"]
