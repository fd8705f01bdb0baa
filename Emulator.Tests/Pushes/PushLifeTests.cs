using MidasEmulator.Midas;
using MidasEmulator.Pushes;

namespace MidasEmulator.Tests.Pushes;

/// <summary>The push status rules without HTTP: the schedules, success, and what a cancel or a retry may change.</summary>
public sealed class PushLifeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(PushEvents.CoinDelivered, 14)]
    [InlineData(PushEvents.RefundSucceeded, 14)]
    [InlineData(PushEvents.GoodsDeliver, 16)]
    [InlineData(PushEvents.MallGoodsDeliver, 16)]
    public void FailingEveryTime_FailsAfterTheFirstAttemptAndOneRetryPerWait(string eventName, int attempts)
    {
        var push = PushLife.New(NewPush(eventName), Now);
        var at = Now;
        for (var i = 1; i < attempts; i++)
        {
            push = PushLife.AfterAttempts(push, [Refused(at)], 1, at);
            Assert.Equal(PushStatus.Pending, push.Status);
            at = push.NextAttemptAt!.Value;
        }

        push = PushLife.AfterAttempts(push, [Refused(at)], 1, at);

        Assert.Equal(PushStatus.Failed, push.Status);
        Assert.Null(push.NextAttemptAt);
        Assert.Equal(attempts, push.Attempts.Count);
        var total = push.Attempts[^1].At - push.Attempts[0].At;
        Assert.InRange(total.TotalHours, attempts == 16 ? 24 : 12, attempts == 16 ? 24.1 : 12.1);
    }

    [Fact]
    public void Success_DeliversAndStopsTheSchedule()
    {
        var push = PushLife.AfterAttempts(PushLife.New(NewPush(PushEvents.GoodsDeliver), Now), [new PushAttempt(Now, 200, "{}", null, 1, null)], 1, Now);

        Assert.Equal(PushStatus.Delivered, push.Status);
        Assert.Null(push.NextAttemptAt);
        Assert.Null(PushLife.Retry(push, Now));
        Assert.Null(PushLife.Cancel(push));
    }

    [Fact]
    public void AttemptFinishingAfterACancel_IsRecordedButTheCancelStands()
    {
        var cancelled = PushLife.Cancel(PushLife.New(NewPush(PushEvents.CoinDelivered), Now))!;

        var after = PushLife.AfterAttempts(cancelled, [new PushAttempt(Now, 200, "{}", null, 1, null)], 1, Now);

        Assert.Equal(PushStatus.Cancelled, after.Status);
        Assert.Single(after.Attempts);
    }

    [Fact]
    public void NoReceiver_WaitsUntilAConfigurationIsSaved()
    {
        var waiting = PushLife.NoReceiver(PushLife.New(NewPush(PushEvents.CoinDelivered), Now));

        var released = PushLife.ReceiverSaved(waiting, Now.AddHours(1));

        Assert.Equal(PushStatus.NoReceiver, waiting.Status);
        Assert.Equal(PushStatus.Pending, released.Status);
        Assert.Equal(Now.AddHours(1), released.NextAttemptAt);
    }

    [Theory]
    [InlineData("""{"ErrCode":0,"ErrMsg":"Success"}""", true)]
    [InlineData("""{"ErrCode":0}""", true)]
    [InlineData("""{"ErrMsg":"Success","ErrCode":0}""", true)]
    [InlineData("""{"ErrCode":"0","ErrMsg":"Success"}""", false)]
    [InlineData("""{"errcode":0,"errmsg":"ok"}""", false)]
    [InlineData("""{"ErrCode":99999,"ErrMsg":"internal error"}""", false)]
    [InlineData("""[{"ErrCode":0}]""", false)]
    [InlineData("""{"ErrCode":0.5}""", false)]
    [InlineData("success", false)]
    [InlineData("", false)]
    public void SuccessReply_IsJsonWhoseErrCodeIsTheNumberZero(string reply, bool success) =>
        Assert.Equal(success, PushSender.IsSuccessReply(reply));

    [Fact]
    public void RetryDuringAnAttempt_IsNotOverwrittenByTheSchedule()
    {
        var push = PushLife.New(NewPush(PushEvents.CoinDelivered), Now);
        var retried = PushLife.Retry(push, Now.AddSeconds(1))!;

        var after = PushLife.AfterAttempts(retried, [Refused(Now)], 1, Now.AddSeconds(2), attemptedFor: push.NextAttemptAt);

        Assert.Equal(PushStatus.Pending, after.Status);
        Assert.Equal(Now.AddSeconds(1), after.NextAttemptAt);
    }

    private static PushAttempt Refused(DateTimeOffset at) => new(at, null, null, "refused", 1, null);

    private static Push NewPush(string eventName) => new()
    {
        Appid = "wx1",
        Event = eventName,
        Openid = "o",
        Env = Env.Sandbox,
        Status = PushStatus.Pending,
        CreatedAt = Now,
        Payload = "{}",
    };
}
