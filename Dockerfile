# MidasEmulator: docker build -t midas-emulator . && docker run -p 8080:8080 -v midas-data:/data midas-emulator

# Build stage: restore from the project and build-policy files alone (a layer that survives source
# edits), then publish. .editorconfig is build policy too: it sets the analyzer severities.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Emulator/Emulator.csproj Emulator/
RUN dotnet restore Emulator/Emulator.csproj
COPY seed-data/ seed-data/
COPY Emulator/ Emulator/
RUN dotnet publish Emulator/Emulator.csproj -c Release --no-restore -o /app

# Runtime stage: ASP.NET runtime only, non-root, the LiteDB file on the /data volume.
# The base image sets ASPNETCORE_HTTP_PORTS=8080, so the emulator listens on 0.0.0.0:8080 here
# (outside a container its default is 127.0.0.1:8080).
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
RUN mkdir /data && chown $APP_UID:$APP_UID /data
COPY --from=build /app .
ENV Midas__Database=/data/midas.db \
    Midas__SeedFile=/app/seed-data/seed.json
VOLUME /data
EXPOSE 8080
USER $APP_UID
# TODO: HEALTHCHECK CMD ["dotnet", "MidasEmulator.dll", "--probe", "http://127.0.0.1:8080/admin/health"]
#       once the emulator has its --probe switch (the runtime image has no curl or wget).
ENTRYPOINT ["dotnet", "MidasEmulator.dll"]
