using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MidasEmulator.Midas;

namespace MidasEmulator.GamePay;

/// <summary>
/// A reply in 2.0's words (docs/wechat-vp2-api.md §3, §9): present_balance, sum_save, used_present_amount …, first_save as
/// a boolean. An error carries only errcode and errmsg, and its errmsg ends as the real service's do, with a traceid and a
/// rid whose first eight hex digits are the time (§8.22).
/// </summary>
public static class GamePayReply
{
    /// <summary>How much of the body a long-form signature errmsg quotes: the real one quotes all, a 64 KB errmsg helps nobody.</summary>
    public const int MaxQuotedBodyBytes = 4096;

    /// <summary>The errmsg as sent: "ok", or the message with its traceid and rid (and for 90010/90011 the quoted body).</summary>
    public static string Errmsg(MidasReply reply, byte[]? quotedBody, DateTimeOffset now)
    {
        if (reply.IsOk)
        {
            return reply.Errmsg;
        }
        var traceId = RandomNumberGenerator.GetInt32(10_000_000, 99_999_999);
        var rid = $"rid: {now.ToUnixTimeSeconds():x8}-{RandomNumberGenerator.GetInt32(int.MaxValue):x8}-{RandomNumberGenerator.GetInt32(int.MaxValue):x8}";
        if (quotedBody is null)
        {
            return $"{reply.Errmsg} traceid: {traceId} {rid}";
        }
        var quoted = quotedBody.Length <= MaxQuotedBodyBytes ? quotedBody : quotedBody[..MaxQuotedBodyBytes];
        return $"{reply.Errmsg} traceid: {traceId}, raw post_body(remove wrapped []): [{Encoding.UTF8.GetString(quoted)}], "
            + $"base64_encoded_post_body: {Convert.ToBase64String(quoted)} {rid}";
    }

    /// <summary>Writes the reply; <paramref name="op"/> null (a fault rule's answer) writes errcode and errmsg alone.</summary>
    public static void Write(Utf8JsonWriter writer, MidasReply reply, string errmsg, GamePayOp? op)
    {
        writer.WriteStartObject();
        writer.WriteNumber("errcode"u8, reply.Errcode);
        writer.WriteString("errmsg"u8, errmsg);
        if (reply.IsOk && op is { } operation)
        {
            WriteFields(writer, reply, operation);
        }
        writer.WriteEndObject();
    }

    private static void WriteFields(Utf8JsonWriter writer, MidasReply reply, GamePayOp op)
    {
        switch (op)
        {
            case GamePayOp.GetBalance when reply.Account is { } a:
                writer.WriteNumber("balance"u8, a.Balance);
                writer.WriteNumber("present_balance"u8, a.GenBalance);
                writer.WriteNumber("sum_save"u8, a.SaveAmt);
                writer.WriteNumber("sum_present"u8, a.PresentSum);
                writer.WriteNumber("sum_balance"u8, a.SaveSum);
                writer.WriteNumber("sum_cost"u8, a.CostSum);
                writer.WriteBoolean("first_save"u8, a.FirstSave);
                break;
            case GamePayOp.Pay:
                writer.WriteString("bill_no"u8, reply.BillNo);
                writer.WriteNumber("balance"u8, reply.Balance ?? 0);
                writer.WriteNumber("used_present_amount"u8, reply.UsedGenBalance ?? 0);
                break;
            case GamePayOp.CancelPay:
                writer.WriteString("bill_no"u8, reply.BillNo);
                break;
            case GamePayOp.Present:
                writer.WriteString("bill_no"u8, reply.BillNo);
                writer.WriteNumber("balance"u8, reply.Balance ?? 0);
                break;
            case GamePayOp.QueryOrderInfo when reply.ClientOrder is { } o:
                writer.WriteString("out_trade_no"u8, o.OutTradeNo);
                writer.WriteNumber("pay_finish_time"u8, o.PayFinishTime?.ToUnixTimeSeconds() ?? 0);
                writer.WriteString("product_id"u8, o.ProductId ?? "");
                writer.WriteNumber("deliver_state"u8, o.DeliverState);
                writer.WriteNumber("pay_state"u8, o.PayState);
                writer.WriteString("mch_order_no"u8, o.MchOrderNo);
                writer.WriteString("transaction_id"u8, o.TransactionId);
                break;
        }
    }
}
