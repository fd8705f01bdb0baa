using MidasEmulator.Signing;

namespace MidasEmulator.Midas;

/// <summary>One Midas 1.0 call as it arrived: no HTTP types, so the pipeline runs the same in a unit test.</summary>
/// <param name="Path">The path called, sandbox prefix included and query string excluded: the org_loc both signatures cover.</param>
/// <param name="AccessToken">The access_token query parameter, null or empty when absent.</param>
/// <param name="Body">The body's bytes; null when it was longer than <see cref="MidasCallSettings.MaxBodyBytes"/>.</param>
public sealed record MidasCall(MidasOp Op, Env Env, string Path, string? AccessToken, byte[]? Body);

/// <summary>The reply, and for a refused sig or mp_sig the string the emulator signed (secrets as ***) for the journal.</summary>
public sealed record MidasCallResult(MidasReply Reply, string? StringToSign = null);

/// <summary>
/// The Midas 1.0 call: access_token → body → app → values → sig → session → mp_sig → the operation
/// (docs/wechat-api.md §1–§5). Each step that fails answers WeChat's errcode and changes nothing.
/// </summary>
public sealed class MidasPipeline(MidasCallSettings settings, IMidasCredentials credentials, IMidasLedger ledger, TimeProvider time)
{
    private readonly SigningSettings _signing = settings.Signing ?? new SigningSettings();

    public async Task<MidasCallResult> ProcessAsync(MidasCall call)
    {
        if (credentials.RefuseAccessToken(call.AccessToken, out var tokenAppid) is { } refused)
        {
            return new(refused);
        }
        var accessToken = call.AccessToken!; // a token that passed the check is there

        if (call.Body is not { } body)
        {
            return new(MidasReply.ParameterError($"the body is larger than {settings.MaxBodyBytes} bytes"));
        }
        var request = MidasRequest.Parse(body, call.Op, settings.StrictTypes, settings.LegacyMissingParam, out var parseError);
        if (request is null)
        {
            return new(parseError!);
        }

        var appid = request["appid"];
        if (credentials.FindApp(appid) is not { } app)
        {
            return new(MidasReply.NoPrivilege($"appid {MidasReply.Echo(appid)} is not registered with this emulator"));
        }
        if (tokenAppid != appid)
        {
            return new(MidasReply.NoPrivilege($"the access_token was issued to another appid, not {appid}"));
        }
        if (request["offer_id"] != app.OfferId)
        {
            return new(MidasReply.NoPrivilege($"offer_id {MidasReply.Echo(request["offer_id"])} is not the Midas offer of appid {appid}"));
        }
        if (app.KeyFor(call.Env) is not { } appKey)
        {
            // Sandbox calls for an app without a configured sandbox have answered 90017 (docs/wechat-api.md §7).
            return new(MidasReply.NoPrivilege($"appid {appid} has no {call.Env.ToWire()} AppKey"));
        }

        var now = time.GetUtcNow();
        if (MidasValidation.Check(request, call.Op, settings, now) is { } problem)
        {
            return new(MidasReply.ParameterError(problem));
        }

        // org_loc is the path actually called, sandbox prefix included, query string excluded (docs/wechat-api.md §3.5).
        var orgLoc = call.Path;
        var signed = request.SignedFields();
        if (!SignatureCheck.VerifySig(signed, orgLoc, appKey, request["sig"], _signing, out var sigStringToSign))
        {
            return new(MidasReply.SigWrong(orgLoc, call.Env), sigStringToSign + "***");
        }

        var openid = request["openid"];
        if (credentials.FindSessionKey(appid, openid) is not { } sessionKey)
        {
            return new(MidasReply.NotLoggedIn(openid));
        }
        if (CheckMpSig(request, signed, accessToken, orgLoc, sessionKey) is { } mpSigError)
        {
            return mpSigError;
        }

        var account = new AccountKey(call.Env, app.OfferId, request["zone_id"], openid);
        appid = app.Appid; // the registered instance: orders kept in memory share it instead of holding the request's copy
        var reply = call.Op switch
        {
            MidasOp.GetBalance => MidasReply.BalanceOf(ledger.GetAccount(account)),
            MidasOp.Pay => await SubmitAsync(new PayCommand(account, appid, request["bill_no"], long.Parse(request["amt"]),
                request.Get("pay_item"), request.Get("app_remark")), now).ConfigureAwait(false),
            MidasOp.CancelPay => await SubmitAsync(new CancelPayCommand(account, appid, request["bill_no"], request.Get("pay_item")), now).ConfigureAwait(false),
            _ => await SubmitAsync(new PresentCommand(account, appid, request["bill_no"], long.Parse(request["present_counts"])), now).ConfigureAwait(false),
        };
        return new(reply);
    }

    private MidasCallResult? CheckMpSig(MidasRequest request, List<KeyValuePair<string, string>> signed, string accessToken, string orgLoc,
        string sessionKey)
    {
        if (settings.MpSigPolicy == MpSigPolicy.Off)
        {
            return null;
        }
        if (request.Get("mp_sig") is not { } mpSig)
        {
            return settings.MpSigPolicy == MpSigPolicy.Required ? new(MidasReply.MpSigMissing(settings.LegacyMissingParam)) : null;
        }
        if (SignatureCheck.VerifyMpSig(signed, accessToken, request["sig"], orgLoc, sessionKey, mpSig, _signing, out var stringToSign))
        {
            return null;
        }
        // The access_token is a credential too: the journal shows where it goes, not what it is.
        return new(MidasReply.MpSigWrong(orgLoc),
            stringToSign.Replace("access_token=" + accessToken, "access_token=***", StringComparison.Ordinal) + "***");
    }

    // A repeat of a committed bill_no is answered from memory without queueing behind the writer;
    // anything new (or in flight) goes to the writer, which decides it atomically.
    private async Task<MidasReply> SubmitAsync(MidasCommand command, DateTimeOffset now)
    {
        if (ledger.Rules.TryAnswerRepeat(command, ledger.FindBill, now) is { } repeat)
        {
            return repeat;
        }
        var result = await ledger.SubmitAsync(command).ConfigureAwait(false);
        return result.Reply;
    }
}
