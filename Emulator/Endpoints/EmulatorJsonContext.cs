using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace MidasEmulator.Endpoints;

/// <summary>
/// Source-generated JSON for every admin type: snake_case on the wire, no reflection at start-up. A key
/// sent twice is refused rather than the last one silently winning ({"amount":1,"amount":1000000} tops up nothing).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(HealthReply))]
[JsonSerializable(typeof(ResetRequest))]
[JsonSerializable(typeof(ResetReply))]
[JsonSerializable(typeof(AppRequest))]
[JsonSerializable(typeof(AppReply))]
[JsonSerializable(typeof(IReadOnlyList<AppReply>))]
[JsonSerializable(typeof(SessionRequest))]
[JsonSerializable(typeof(SessionReply))]
[JsonSerializable(typeof(LoginCodeRequest))]
[JsonSerializable(typeof(LoginCodeReply))]
[JsonSerializable(typeof(TopupRequest))]
[JsonSerializable(typeof(SetAccountRequest))]
[JsonSerializable(typeof(AccountReply))]
[JsonSerializable(typeof(OrderReply))]
[JsonSerializable(typeof(IReadOnlyList<OrderReply>))]
[JsonSerializable(typeof(InvariantsReply))]
[JsonSerializable(typeof(FaultRequest))]
[JsonSerializable(typeof(FaultReply))]
[JsonSerializable(typeof(IReadOnlyList<FaultReply>))]
[JsonSerializable(typeof(JournalEntryReply))]
[JsonSerializable(typeof(IReadOnlyList<JournalEntryReply>))]
[JsonSerializable(typeof(ZonesBody))]
[JsonSerializable(typeof(ClientOrderRequest))]
[JsonSerializable(typeof(ClientRefundRequest))]
[JsonSerializable(typeof(ClientOrderReply))]
[JsonSerializable(typeof(IReadOnlyList<ClientOrderReply>))]
[JsonSerializable(typeof(PushReceiverRequest))]
[JsonSerializable(typeof(PushReceiverReply))]
[JsonSerializable(typeof(PushReceiversReply))]
[JsonSerializable(typeof(PushTriggerRequest))]
[JsonSerializable(typeof(PushReply))]
[JsonSerializable(typeof(IReadOnlyList<PushReply>))]
[JsonSerializable(typeof(ClockRequest))]
[JsonSerializable(typeof(ClockReply))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
public sealed partial class EmulatorJsonContext : JsonSerializerContext;
