using MidasEmulator.Journal;

namespace MidasEmulator.Tests.Journal;

public class CredentialMaskTests
{
    [Theory]
    [InlineData("grant_type=client_credential&appid=wx1&secret=S3", "grant_type=client_credential&appid=wx1&secret=***")]
    [InlineData("?secret=S3&appid=wx1", "?secret=***&appid=wx1")]
    [InlineData("appid=wx1&SECRET=S3", "appid=wx1&SECRET=***")]
    [InlineData("appid=wx1&%73ecret=S3", "appid=wx1&%73ecret=***")]
    [InlineData("Access_Token=T&x=1", "Access_Token=***&x=1")]
    [InlineData("secret=A&secret=B", "secret=***&secret=***")]
    [InlineData("session_key=K%2B1&amt=1", "session_key=***&amt=1")]
    [InlineData("appid=wx1&secrets=notone", "appid=wx1&secrets=notone")]
    [InlineData("", "")]
    public void HideInQuery_HidesEveryCredentialWhateverItsCaseOrEncoding(string query, string shown) =>
        Assert.Equal(shown, CredentialMask.HideInQuery(query));

    [Theory]
    [InlineData("""{"openid":"o1","session_key":"K1"}""", """{"openid":"o1","session_key":"***"}""")]
    [InlineData("""{"session_key":"K1","session_key":"K2"}""", """{"session_key":"***","session_key":"***"}""")]
    [InlineData("""{"Session_Key" : "K1"}""", """{"Session_Key" : "***"}""")]
    [InlineData("""{"secre\u0074":"S3"}""", """{"secre\u0074":"***"}""")]
    [InlineData("""{"session_key":["K1","K2"],"amt":1}""", """{"session_key":"***","amt":1}""")]
    [InlineData("""{"app_key":{"a":"K1","b":["K2"]},"amt":1}""", """{"app_key":"***","amt":1}""")]
    [InlineData("""{"nested":{"secret":"S3"},"amt":1}""", """{"nested":{"secret":"***"},"amt":1}""")]
    [InlineData("""{"access_token":12345,"amt":1}""", """{"access_token":"***","amt":1}""")]
    [InlineData("""{"note":"\"secret\":\"x\"","amt":1}""", """{"note":"\"secret\":\"x\"","amt":1}""")]
    [InlineData("{\"pad\":\"x\",\"session_key\":\"K1-cut-by-the-jour", "{\"pad\":\"x\",\"session_key\":\"***\"")]
    [InlineData("{\"session_key\":[\"K1\",\"K2", "{\"session_key\":\"***\"")]
    [InlineData("""{"openid":"o1","amt":5}""", """{"openid":"o1","amt":5}""")]
    [InlineData("not json at all \"", "not json at all \"")]
    public void HideInJson_HidesTheWholeValueOfEveryCredentialKey(string json, string shown) =>
        Assert.Equal(shown, CredentialMask.HideInJson(json));
}
