using System.Text;
using MidasEmulator.Midas;
using MidasEmulator.Signing;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Midas;

/// <summary>The Midas call without HTTP: body bytes, path, access_token and env in, the reply out.</summary>
public sealed class MidasPipelineTests
{
    // WeChat's worked example (docs/wechat-api.md §3.3): production path and AppKey, this token and session_key.
    private const string Path = "/cgi-bin/midas/getbalance";
    private const string Token = "ACCESSTOKEN";
    private const string Openid = "odkx20ENSNa2w5y3g_qOkOvBNM1g";
    private const string DocSig = "1ad64e8dcb2ec1dc486b7fdf01f4a15159fc623dc3422470e51cf6870734726b";
    private const string DocMpSig = "ff4c5bb39dea1002a8f03be0438724e1a8bcea5ebce8f221f9b9fea3bcf3bf76";
    private static readonly AccountKey Player = new(Env.Production, "12345678", "1", Openid);

    private readonly Credentials _credentials = new();
    private readonly Ledger _ledger = new();

    private MidasPipeline Pipeline => new(new MidasCallSettings(), _credentials, _ledger, TimeProvider.System);

    private static byte[] DocBody(string sig = DocSig, string mpSig = DocMpSig, string extra = "") => Encoding.UTF8.GetBytes(
        $$"""{"openid":"{{Openid}}","appid":"wx1234567","offer_id":"12345678","ts":1507530737,"zone_id":"1","pf":"android"{{extra}},"sig":"{{sig}}","mp_sig":"{{mpSig}}"}""");

    [Fact]
    public async Task Process_DocWorkedExample_AnswersTheBalance()
    {
        _ledger.Memory.Run(new SetBalanceCommand(Player, "wx1234567", 1000, 100));

        var result = await Pipeline.ProcessAsync(new MidasCall(MidasOp.GetBalance, Env.Production, Path, Token, DocBody()));

        Assert.Equal((0, 1000L, 100L), (result.Reply.Errcode, result.Reply.Account!.Balance, result.Reply.Account.GenBalance));
        Assert.Null(result.StringToSign);
    }

    [Fact]
    public async Task Process_WrongSig_Answers90011WithTheStringToSignAndNoKey()
    {
        var result = await Pipeline.ProcessAsync(new MidasCall(MidasOp.GetBalance, Env.Production, Path, Token, DocBody(sig: new string('0', 64))));

        Assert.Equal(MidasErrcode.SigWrong, result.Reply.Errcode);
        Assert.Equal("appid=wx1234567&offer_id=12345678&openid=odkx20ENSNa2w5y3g_qOkOvBNM1g&pf=android&ts=1507530737&zone_id=1"
            + "&org_loc=/cgi-bin/midas/getbalance&method=POST&secret=***", result.StringToSign);
    }

    [Fact]
    public async Task Process_SandboxPathWithTheProductionSig_Answers90011()
    {
        var result = await Pipeline.ProcessAsync(new MidasCall(MidasOp.GetBalance, Env.Sandbox, "/cgi-bin/midas/sandbox/getbalance", Token, DocBody()));

        Assert.Equal(MidasErrcode.SigWrong, result.Reply.Errcode);
    }

    [Theory]
    [InlineData(null, MidasErrcode.AccessTokenMissing)]
    [InlineData("", MidasErrcode.AccessTokenMissing)]
    [InlineData("unknown", MidasErrcode.InvalidCredential)]
    [InlineData("expired", MidasErrcode.AccessTokenExpired)]
    public async Task Process_BadAccessToken_AnswersItsErrcodeBeforeReadingTheBody(string? token, int errcode)
    {
        var result = await Pipeline.ProcessAsync(new MidasCall(MidasOp.GetBalance, Env.Production, Path, token, Body: null));

        Assert.Equal(errcode, result.Reply.Errcode);
    }

    [Fact]
    public async Task Process_BodyOverTheLimit_Answers90018NamingTheLimit()
    {
        var result = await Pipeline.ProcessAsync(new MidasCall(MidasOp.GetBalance, Env.Production, Path, Token, Body: null));

        Assert.Equal((MidasErrcode.ParameterError, "parameter error: the body is larger than 65536 bytes"), (result.Reply.Errcode, result.Reply.Errmsg));
    }

    [Fact]
    public async Task Process_NoLiveSession_Answers90010()
    {
        _credentials.SessionKey = null;

        var result = await Pipeline.ProcessAsync(new MidasCall(MidasOp.GetBalance, Env.Production, Path, Token, DocBody()));

        Assert.Equal(MidasErrcode.NotLoggedIn, result.Reply.Errcode);
    }

    [Fact]
    public async Task Process_PayTheWriterDidNotSave_AnswersMinusOneSayingARetryMayWork()
    {
        _ledger.NextResult = CommitResult.NotCommitted(NotCommittedReason.WriteFailed);
        var fields = new List<KeyValuePair<string, string>>
        {
            new("openid", Openid), new("appid", "wx1234567"), new("offer_id", "12345678"), new("ts", "1507530737"),
            new("zone_id", "1"), new("pf", "android"), new("amt", "10"), new("bill_no", "B-1"),
        };
        const string key = "zNLgAGgqsEWJOg1nFVaO5r7fAlIQxr1u";
        var sig = MidasSignature.ComputeHex(key, CanonicalString.Build(fields, "/cgi-bin/midas/pay", CanonicalString.SigSecretName, key));
        var body = Encoding.UTF8.GetBytes(
            $$"""{"openid":"{{Openid}}","appid":"wx1234567","offer_id":"12345678","ts":1507530737,"zone_id":"1","pf":"android","amt":10,"bill_no":"B-1","sig":"{{sig}}"}""");

        var result = await Pipeline.ProcessAsync(new MidasCall(MidasOp.Pay, Env.Production, "/cgi-bin/midas/pay", Token, body));

        Assert.Equal((-1, "system error hint: the write failed and nothing was applied; retry"), (result.Reply.Errcode, result.Reply.Errmsg));
    }

    private sealed class Credentials : IMidasCredentials
    {
        private static readonly MidasApp App = new("wx1234567", "secret", "12345678", "zNLgAGgqsEWJOg1nFVaO5r7fAlIQxr1u", SandboxAppKey: "sandbox-key");

        public string? SessionKey { get; set; } = "V7Q38/i2KXaqrQyl2Yx9Hg==";

        public TokenState CheckAccessToken(string accessToken, out string? appid)
        {
            appid = "wx1234567";
            return accessToken switch
            {
                Token => TokenState.Valid,
                "expired" => TokenState.Expired,
                _ => TokenState.Unknown,
            };
        }

        public MidasApp? FindApp(string appid) => appid == App.Appid ? App : null;

        public string? FindSessionKey(string appid, string openid) => openid == Openid ? SessionKey : null;
    }

    /// <summary>The money rules on an in-memory ledger; <see cref="NextResult"/> stands in for a writer that could not save.</summary>
    private sealed class Ledger : IMidasLedger
    {
        public InMemoryLedger Memory { get; } = new(new MoneyRules(new MoneyRuleSettings()));

        public CommitResult? NextResult { get; set; }

        public MoneyRules Rules => Memory.Rules;

        public Account GetAccount(AccountKey key) => Memory.GetAccount(key);

        public Order? FindBill(BillKey billKey) => Memory.FindBill(billKey);

        public ClientOrder? FindClientOrder(string appid, string outTradeNo) => Memory.FindClientOrder(appid, outTradeNo);

        public Task<CommitResult> SubmitAsync(MidasCommand command) =>
            Task.FromResult(NextResult ?? CommitResult.Committed(new CommandResult(Memory.Run(command), null, [])));
    }
}
