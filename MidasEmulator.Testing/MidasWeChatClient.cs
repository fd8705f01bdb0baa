namespace MidasEmulator.Testing;

/// <summary>
/// What both game-backend clients share: the HttpClient on the emulator, the app they call as, the clock <c>ts</c> is read
/// from, and the app's access token (/cgi-bin/token), fetched on first use and kept.
/// </summary>
/// <param name="http">BaseAddress: the emulator (or anything serving api.weixin.qq.com's paths).</param>
/// <param name="app">The app to call as; <see cref="MidasAppCredentials.Default"/> when null.</param>
/// <param name="clock">The clock <c>ts</c> is read from; the system clock when null.</param>
public abstract class MidasWeChatClient(HttpClient http, MidasAppCredentials? app, TimeProvider? clock)
{
    private readonly AccessTokenCache _token = new(http, app ?? MidasAppCredentials.Default);

    /// <summary>The underlying client.</summary>
    public HttpClient Http => http;

    /// <summary>The app this client calls as.</summary>
    public MidasAppCredentials App { get; } = app ?? MidasAppCredentials.Default;

    /// <summary>The clock <c>ts</c> is read from.</summary>
    protected TimeProvider Clock { get; } = clock ?? TimeProvider.System;

    /// <summary>The access token, fetched from /cgi-bin/token on first use and kept.</summary>
    public Task<string> AccessTokenAsync(CancellationToken cancellation = default) => _token.GetAsync(cancellation);

    /// <summary>Forgets the kept access token: the next call fetches a new one (after a 42001, say).</summary>
    public void ForgetAccessToken() => _token.Forget();
}
