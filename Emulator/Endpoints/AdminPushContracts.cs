using System.Text.Json.Nodes;
using MidasEmulator.Midas;
using MidasEmulator.Pushes;

namespace MidasEmulator.Endpoints;

/// <summary>PUT /admin/apps/{appid}/push/{channel}: where the channel's pushes go. verify (default true) runs the URL check first.</summary>
public sealed record PushReceiverRequest(string? Url = null, string? Token = null, string? EncodingAesKey = null, string? Mode = null, bool? Verify = null);

/// <summary>One channel's push configuration.</summary>
public sealed record PushReceiverReply(string Appid, string Channel, string Url, string Token, string? EncodingAesKey, string Mode, DateTimeOffset SavedAt)
{
    public static PushReceiverReply From(PushReceiver r) =>
        new(r.Appid, PushNames.Of(r.Channel), r.Url, r.Token, r.EncodingAesKey, PushNames.Of(r.Mode), r.SavedAt);
}

/// <summary>GET /admin/apps/{appid}/push: both channels, null where none is saved.</summary>
public sealed record PushReceiversReply(PushReceiverReply? Events, PushReceiverReply? Goods);

/// <summary>POST /admin/pushes: send <c>event</c> now, its payload made realistic and <c>fields</c> laid over it.</summary>
public sealed record PushTriggerRequest(
    string? Event = null, string? Openid = null, string? Appid = null, string? Env = null, string? ZoneId = null, JsonObject? Fields = null, bool? IsMock = null);

/// <summary>One attempt at a push: <c>error</c> is null on success, else timeout, refused, reset, bad_reply or fault.</summary>
public sealed record PushAttemptReply(DateTimeOffset At, int? HttpStatus, string? Reply, string? Error, double DurationMs, string? FaultId);

/// <summary>A push as GET /admin/pushes shows it; <c>payload</c> is the Payload string exactly as signed and sent.</summary>
public sealed record PushReply(
    long Id, string Appid, string Channel, string Event, string Openid, string Env, string? OutTradeNo, bool IsMock, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, string Payload, IReadOnlyList<PushAttemptReply> Attempts)
{
    public static PushReply From(Push p) => new(
        p.Id, p.Appid, PushNames.Of(p.Channel), p.Event, p.Openid, p.Env.ToWire(), p.OutTradeNo, p.IsMock, PushNames.Of(p.Status),
        p.CreatedAt, p.NextAttemptAt, p.Payload,
        p.Attempts.Select(a => new PushAttemptReply(a.At, a.HttpStatus, a.Reply, a.Error, a.DurationMs, a.FaultId)).ToList());
}
