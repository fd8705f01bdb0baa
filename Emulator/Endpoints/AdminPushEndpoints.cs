using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using MidasEmulator.Auth;
using MidasEmulator.Midas;
using MidasEmulator.Pushes;
using MidasEmulator.Signing;

namespace MidasEmulator.Endpoints;

/// <summary>
/// The pushes WeChat sends the game server (docs/reference.md, pushes): each app's two push configurations, the list of
/// pushes with their attempts, a trigger like `stripe trigger`, retry and cancel.
/// </summary>
public static partial class AdminEndpoints
{
    private const string PushesTag = "Pushes";
    private const int MaxPushesPage = 1000;

    private static RouteGroupBuilder MapPushApi(this RouteGroupBuilder admin)
    {
        admin.MapPut("/apps/{appid}/push/{channel}", SavePushReceiverAsync).TakesQuery()
            .WithJsonBody<PushReceiverRequest>()
            .Produces<PushReceiverReply>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapGet("/apps/{appid}/push", GetPushReceivers).TakesQuery()
            .Produces<PushReceiversReply>().ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapDelete("/apps/{appid}/push/{channel}", DeletePushReceiverAsync).TakesQuery()
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapGet("/pushes", GetPushes).TakesQuery("appid", "openid", "event", "out_trade_no", "status", "limit", "after_id")
            .Produces<IReadOnlyList<PushReply>>().ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapPost("/pushes", TriggerPushAsync).TakesQuery()
            .WithJsonBody<PushTriggerRequest>()
            .Produces<PushReply>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapPost("/pushes/{id}/retry", RetryPushAsync).TakesQuery()
            .Produces<PushReply>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapPost("/pushes/{id}/cancel", CancelPushAsync).TakesQuery()
            .Produces<PushReply>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return admin;
    }

    [Tags(PushesTag)]
    [EndpointSummary("Save a push configuration")]
    [EndpointDescription("channel events (事件订阅: coins credited, refunds, recharge centre) or goods (发货推送: item deliveries). url is "
        + "any http or https URL the emulator can reach; token 3–32 letters and digits; mode plain (default) or safe, which needs "
        + "encoding_aes_key (43 letters and digits). Unless verify is false the emulator first makes the URL check (GET with "
        + "signature, timestamp, nonce, echostr) and answers 422 naming what went wrong, saving nothing. Pushes of the channel that "
        + "were waiting for a configuration (no_receiver) are sent at once.")]
    public static async Task<IResult> SavePushReceiverAsync(string appid, string channel, AdminJson<PushReceiverRequest> json, AppRegistry apps,
        IPushStore pushes, PushSender sender, PushDispatcher dispatcher, TimeProvider clock, CancellationToken cancellation)
    {
        var body = json.Value;
        if (!PushNames.TryParse(channel, out PushChannel pushChannel))
        {
            return AdminProblems.BadRequest("channel must be events (事件订阅) or goods (发货推送)");
        }
        if (!apps.TryGet(appid, out _))
        {
            return AdminProblems.NotFound($"appid {appid} is not registered (POST /admin/apps registers it)");
        }
        if (body.Url is null || !Uri.TryCreate(body.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")
            || body.Url.Length > MidasValidation.MaxTextLength)
        {
            return AdminProblems.BadRequest("url must be an absolute http or https URL");
        }
        if (body.Url.Contains('#', StringComparison.Ordinal))
        {
            return AdminProblems.BadRequest("url must not have a #fragment: the signature, timestamp and nonce go in its query");
        }
        if (body.Token is not { Length: >= 3 and <= 32 } token || !token.All(char.IsAsciiLetterOrDigit))
        {
            return AdminProblems.BadRequest("token must be 3 to 32 ASCII letters and digits (the Token of the platform's push configuration)");
        }
        var mode = PushMode.Plain;
        if (body.Mode is not null && !PushNames.TryParse(body.Mode, out mode))
        {
            return AdminProblems.BadRequest("mode must be plain (明文) or safe (安全模式)");
        }
        if (mode == PushMode.Safe && body.EncodingAesKey is null)
        {
            return AdminProblems.BadRequest("mode safe needs encoding_aes_key, 43 ASCII letters and digits");
        }
        if (body.EncodingAesKey is not null && !PushSignature.IsEncodingAesKey(body.EncodingAesKey))
        {
            return AdminProblems.BadRequest("encoding_aes_key must be 43 ASCII letters and digits that decode, with a trailing =, to 32 bytes");
        }
        if (body.Verify != false && await sender.CheckUrlAsync(body.Url, token, cancellation).ConfigureAwait(false) is { } failed)
        {
            return AdminProblems.Unprocessable(failed + "; nothing was saved (\"verify\": false saves without the check)");
        }
        var now = clock.GetUtcNow();
        var receiver = new PushReceiver(appid, pushChannel, body.Url, token, body.EncodingAesKey, mode, now);
        var saved = await pushes.SavePushAsync(new SavePushReceiver(receiver),
            new ChangePushesOfChannel(appid, pushChannel, PushStatus.NoReceiver, p => PushLife.ReceiverSaved(p, now))).ConfigureAwait(false);
        if (!saved.IsCommitted)
        {
            return AdminProblems.Unavailable("the configuration was not saved: the database refused the write");
        }
        dispatcher.Wake();
        return TypedResults.Ok(PushReceiverReply.From(receiver));
    }

    [Tags(PushesTag)]
    [EndpointSummary("Read an app's push configurations")]
    [EndpointDescription("Both channels, events and goods; null where none is saved.")]
    public static IResult GetPushReceivers(string appid, AppRegistry apps, IPushStore pushes)
    {
        if (!apps.TryGet(appid, out _))
        {
            return AdminProblems.NotFound($"appid {appid} is not registered");
        }
        return TypedResults.Ok(new PushReceiversReply(
            pushes.FindPushReceiver(appid, PushChannel.Events) is { } events ? PushReceiverReply.From(events) : null,
            pushes.FindPushReceiver(appid, PushChannel.Goods) is { } goods ? PushReceiverReply.From(goods) : null));
    }

    [Tags(PushesTag)]
    [EndpointSummary("Delete a push configuration")]
    [EndpointDescription("204 whether or not one was saved (404 for an unknown app). The channel's pending pushes stay pending: their next "
        + "attempts find no configuration and wait (no_receiver) for one.")]
    public static async Task<IResult> DeletePushReceiverAsync(string appid, string channel, AppRegistry apps, IPushStore pushes)
    {
        if (!PushNames.TryParse(channel, out PushChannel pushChannel))
        {
            return AdminProblems.BadRequest("channel must be events or goods");
        }
        if (!apps.TryGet(appid, out _))
        {
            return AdminProblems.NotFound($"appid {appid} is not registered");
        }
        // Idempotent, as a DELETE is: none saved is already the state asked for.
        (await pushes.SavePushAsync(new DeletePushReceiver(appid, pushChannel)).ConfigureAwait(false)).EnsureCommitted();
        return TypedResults.NoContent();
    }

    [Tags(PushesTag)]
    [EndpointSummary("List pushes with their attempts")]
    [EndpointDescription("Newest first, filtered by appid, openid, event, out_trade_no and status (pending, delivered, failed, cancelled, "
        + "no_receiver); limit 1 … 1000 (default 100); after_id gives the pushes older than that id, the next page.")]
    public static IResult GetPushes(string? appid, [Description("Only this player's pushes.")] string? openid,
        [FromQuery(Name = "event"), Description("Only this event.")] string? eventName,
        [FromQuery(Name = "out_trade_no"), Description("Only this order's pushes.")] string? outTradeNo,
        [Description("pending, delivered, failed, cancelled or no_receiver.")] string? status,
        [Description("At most this many, 1 … 1000; default 100.")] string? limit,
        [FromQuery(Name = "after_id"), Description("Only pushes older than this id (the next page, newest first).")] string? afterId,
        IPushStore pushes)
    {
        PushStatus? statusFilter = null;
        if (status is not null)
        {
            if (!PushNames.TryParse(status, out PushStatus parsed))
            {
                return AdminProblems.BadRequest("status must be pending, delivered, failed, cancelled or no_receiver");
            }
            statusFilter = parsed;
        }
        if (eventName is not null && !PushEvents.IsKnown(eventName))
        {
            return AdminProblems.BadRequest($"event must be one of {string.Join(", ", PushEvents.All)}");
        }
        if (!TryInt(limit, 100, out var take) || take is < 1 or > MaxPushesPage)
        {
            return AdminProblems.BadRequest($"limit must be an integer from 1 to {MaxPushesPage}");
        }
        long? before = null;
        if (afterId is not null)
        {
            if (!long.TryParse(afterId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return AdminProblems.BadRequest("after_id must be a push id");
            }
            before = id;
        }
        var found = pushes.QueryPushes(new PushQuery(appid, openid, eventName, outTradeNo, statusFilter, before, take));
        return TypedResults.Ok<IReadOnlyList<PushReply>>(found.Select(PushReply.From).ToList());
    }

    [Tags(PushesTag)]
    [EndpointSummary("Send a push now (like stripe trigger)")]
    [EndpointDescription("event is one of the five payment events; openid the player (a random one for a mock push). The payload is "
        + "made realistic (fresh OutTradeNo, prices, WeChatPayInfo) and fields is laid over it: a field replaces the one of its name, "
        + "an object merges into the object of its name, null removes the field. Env in the payload (0 production, 1 sandbox; from "
        + "env, sandbox by default) picks the AppKey of PayEventSig. is_mock true sends IsMock: true with random amounts. No order "
        + "or balance changes. 202 with the push, pending.")]
    public static async Task<IResult> TriggerPushAsync(AdminJson<PushTriggerRequest> json, AppRegistry apps, IPushStore pushes, PushDispatcher dispatcher,
        TimeProvider clock)
    {
        var body = json.Value;
        if (!PushEvents.IsKnown(body.Event))
        {
            return AdminProblems.BadRequest($"event must be one of {string.Join(", ", PushEvents.All)}");
        }
        if (apps.Resolve(body.Appid, out var unresolved) is not { } app)
        {
            return AdminProblems.BadRequest(unresolved);
        }
        if (!EnvNames.TryParse(body.Env, out var env))
        {
            return AdminProblems.BadRequest("env must be sandbox (the default) or production");
        }
        var isMock = body.IsMock ?? false;
        if (body.Openid is null && !isMock)
        {
            return AdminProblems.BadRequest("openid is required (a mock push, is_mock true, makes up one)");
        }
        if (body.Openid is { Length: 0 or > MidasValidation.MaxKeyPartLength } || body.ZoneId is { Length: 0 or > MidasValidation.MaxKeyPartLength })
        {
            return AdminProblems.BadRequest($"openid and zone_id must be 1 to {MidasValidation.MaxKeyPartLength} characters");
        }
        var openid = body.Openid ?? "mock_" + OrderNumbers.RandomDigits(16);
        var payload = PushPayloads.Sample(body.Event!, openid, env, body.ZoneId ?? "1", isMock);
        if (body.Fields is { } fields)
        {
            PushPayloads.Merge(payload, fields);
        }
        if (PushPayloads.StringField(payload, "OpenId") is not { Length: > 0 } payloadOpenid)
        {
            return AdminProblems.BadRequest("the payload's OpenId must be a non-empty string");
        }
        if (payload["Env"] is not JsonValue envValue || envValue.GetValueKind() != JsonValueKind.Number
            || !envValue.TryGetValue<int>(out var envNumber) || envNumber is not (0 or 1))
        {
            return AdminProblems.BadRequest("the payload's Env must be 0 (production) or 1 (sandbox): it picks the AppKey of PayEventSig");
        }
        var text = payload.ToJsonString(PushPayloads.Json);
        if (text.Length > 64 * 1024)
        {
            return AdminProblems.BadRequest("the payload must be at most 64 KB");
        }
        var now = clock.GetUtcNow();
        var push = PushLife.New(new Push
        {
            Id = pushes.NewPushId(),
            Appid = app.Appid,
            Event = body.Event!,
            Openid = payloadOpenid,
            Env = envNumber == 0 ? Env.Production : Env.Sandbox,
            OutTradeNo = PushPayloads.StringField(payload, "OutTradeNo"),
            IsMock = isMock,
            Status = PushStatus.Pending,
            CreatedAt = now,
            Payload = text,
        }, now);
        if (!(await pushes.SavePushAsync(new InsertPush(push)).ConfigureAwait(false)).IsCommitted)
        {
            return AdminProblems.Unavailable("the push was not saved: the database refused the write");
        }
        dispatcher.Wake();
        return TypedResults.Accepted($"/admin/pushes?after_id={push.Id + 1}&limit=1", PushReply.From(pushes.FindPush(push.Id) ?? push));
    }

    [Tags(PushesTag)]
    [EndpointSummary("Retry a push now")]
    [EndpointDescription("An attempt at once, whatever the schedule says (a failed, cancelled or held push too); the attempt counts "
        + "towards the schedule. 409 for a delivered push: it is never sent again.")]
    public static Task<IResult> RetryPushAsync(string id, IPushStore pushes, PushDispatcher dispatcher, TimeProvider clock) =>
        ChangePushAsync(id, pushes, push => PushLife.Retry(push, clock.GetUtcNow()), "was delivered: a delivered push is never sent again",
            push => push.Status == PushStatus.NoReceiver && pushes.FindPushReceiver(push.Appid, push.Channel) is null
                ? $"push {push.Id} has no {PushNames.Of(push.Channel)} configuration to go to: PUT /admin/apps/{push.Appid}/push/{PushNames.Of(push.Channel)} sends it"
                : null,
            changed => dispatcher.Release(changed));

    [Tags(PushesTag)]
    [EndpointSummary("Cancel a push")]
    [EndpointDescription("No more attempts (status cancelled). 409 for a push already delivered or failed.")]
    public static Task<IResult> CancelPushAsync(string id, IPushStore pushes) =>
        ChangePushAsync(id, pushes, PushLife.Cancel, "is already settled (delivered or failed)", _ => null, _ => { });

    private static async Task<IResult> ChangePushAsync(string id, IPushStore pushes, Func<Push, Push?> change, string refused,
        Func<Push, string?> cannot, Action<long> afterwards)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var pushId) || pushes.FindPush(pushId) is not { } push)
        {
            return AdminProblems.NotFound($"there is no push {id}");
        }
        if (cannot(push) is { } problem)
        {
            return AdminProblems.Conflict(problem);
        }
        if (change(push) is null)
        {
            return AdminProblems.Conflict($"push {pushId} {refused}");
        }
        // The change is applied to the push as it is at the commit; an attempt may have settled it since the read above.
        var applied = false;
        (await pushes.SavePushAsync(new ChangePush(pushId, stored => change(stored) is { } changed ? Mark(changed) : null)).ConfigureAwait(false))
            .EnsureCommitted();
        if (!applied)
        {
            return AdminProblems.Conflict($"push {pushId} {refused}");
        }
        afterwards(pushId);
        return TypedResults.Ok(PushReply.From(pushes.FindPush(pushId)!));

        Push Mark(Push changed)
        {
            applied = true;
            return changed;
        }
    }
}
