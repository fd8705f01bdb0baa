namespace MidasEmulator.Testing;

/// <summary>A logged-in player: the openid and the session_key that signs its mp_sig.</summary>
/// <param name="Openid">The player's openid.</param>
/// <param name="SessionKey">The session_key of its current session (base64, as jscode2session answers it).</param>
public sealed record MidasPlayer(string Openid, string SessionKey);
