using System.Net.Http.Json;
namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A test class that talks over HTTP, as different kinds of caller, to one in-memory portal shared by the class
/// (an xUnit class fixture), so the host starts once per class rather than once per test.
/// </summary>
public abstract class PortalAppTest(PortalAppFactory factory) : IClassFixture<PortalAppFactory>, IDisposable
{
    protected PortalAppFactory Factory { get; } = factory;

    protected HttpClient Client { get; } = factory.CreatePortalClient();

    public void Dispose()
    {
        Client.Dispose();
        GC.SuppressFinalize(this);
    }

    protected Task<HttpResponseMessage> SendAsync(string method, string path, TestUser user) =>
        Client.SendAsync(user.Apply(new HttpRequestMessage(new HttpMethod(method), path)), TestContext.Current.CancellationToken);

    /// <summary>Sends <paramref name="body"/> as JSON the way the API's clients do.</summary>
    protected Task<HttpResponseMessage> SendAsync<T>(HttpMethod method, string path, T body, TestUser user) =>
        Client.SendAsync(user.Apply(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: ApiJson.Options) }),
            TestContext.Current.CancellationToken);
}
