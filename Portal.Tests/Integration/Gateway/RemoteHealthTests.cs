using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Gateway;
using Portal.Features.Gateway;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Gateway;

/// <summary>The remote check against a real upstream on loopback: what it answered and when it could not be reached.</summary>
public sealed class RemoteHealthTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _requests = new();
    private WebApplication _upstream = null!;
    private string _address = "";
    private ServiceProvider _http = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _upstream = builder.Build();
        _upstream.Run(context =>
        {
            _requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
            context.Response.StatusCode = context.Request.Path.StartsWithSegments("/down") ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            return context.Response.WriteAsync("a body the check never needs to read", context.RequestAborted);
        });
        await _upstream.StartAsync(Ct);
        _address = _upstream.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new ServiceCollection().AddHttpClient().BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await _http.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task AnUpstreamThatAnswersIsHealthyWithItsStatus()
    {
        var check = await Health().CheckAsync(RemoteAt($"{_address}/simple-index/"), Ct);

        check.StatusCode.ShouldBe(200);
        check.Healthy.ShouldBeTrue();
        check.Error.ShouldBeNull();
        check.Summary.ShouldStartWith("200 OK in ");
        check.Summary.ShouldEndWith(" ms");
        _requests.ToArray().ShouldBe(["GET /simple-index/"], customMessage: "the base URL itself, with GET");
    }

    [Fact]
    public async Task AnUpstreamThatAnswersWithAnErrorIsReachableButNotHealthy()
    {
        var check = await Health().CheckAsync(RemoteAt($"{_address}/down/"), Ct);

        check.StatusCode.ShouldBe(503);
        check.Healthy.ShouldBeFalse();
        check.Summary.ShouldStartWith("503 Service Unavailable in ");
    }

    [Fact]
    public async Task AnUpstreamNobodyListensOnSaysWhy()
    {
        var check = await Health().CheckAsync(RemoteAt($"http://127.0.0.1:{LocalServers.FreePort()}/"), Ct);

        check.StatusCode.ShouldBeNull();
        check.Healthy.ShouldBeFalse();
        check.Error.ShouldNotBeNullOrWhiteSpace();
        check.Summary.ShouldStartWith("No answer after ");
        check.Summary.ShouldContain(check.Error!);
    }

    private RemoteHealth Health() => new(_http.GetRequiredService<IHttpClientFactory>(), TimeProvider.System);

    private static Remote RemoteAt(string url) =>
        Remote.Create(new RemoteDefinition("upstream", url, RemoteKind.Generic, RemotePolicy.OnDemand, 1024, [], RemoteReadAccess.Anonymous),
            "admin@example.org", DateTimeOffset.UnixEpoch);
}
