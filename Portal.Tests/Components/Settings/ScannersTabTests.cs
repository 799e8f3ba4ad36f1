using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Portal.Components.Pages.Settings;
using Portal.Core.Malware;
using Portal.Integrations.ClamAv;
using Portal.Integrations.ScanCommand;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Settings;

/// <summary>Settings → Scanners: which malware scanner is configured, and buttons that prove it answers and detects.</summary>
public sealed class ScannersTabTests(PostgresServer postgres, ClamdServer clamd) : SettingsComponentContext(postgres)
{
    [Fact]
    public void TestConnectionShowsTheEngineOfARealClamd()
    {
        UseClamd(clamd.TcpOptions());
        var tab = RenderTab<ScannersTab>();

        var settings = tab.Find("[data-testid=scanner-settings]").TextContent;
        settings.ShouldContain("ClamAv:Host");
        settings.ShouldContain(clamd.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        settings.ShouldContain("1048576 bytes (1.0 MiB)");
        tab.Find("[data-testid=scanner-kind]").TextContent.ShouldBe("ClamAv");

        tab.Find("[data-testid=scanner-test]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=scanner-engine]").TextContent.ShouldStartWith("ClamAV "), TimeSpan.FromSeconds(15));
        tab.Find("[data-testid=scanner-info]").TextContent.ShouldContain($"Connected to clamd 127.0.0.1:{clamd.Port}");
        // This clamd loads only the test signature, so it reports no official definitions version.
        tab.Find("[data-testid=scanner-definitions]").TextContent.ShouldBe("version not reported (custom signatures only)");
        tab.FindAll("[data-testid=scanner-error]").ShouldBeEmpty();
    }

    [Fact]
    public void TestDetectionShowsTheSignatureClamdFoundInTheEicarFile()
    {
        UseClamd(clamd.UnixSocketOptions());
        var tab = RenderTab<ScannersTab>();
        tab.Find("[data-testid=scanner-settings]").TextContent.ShouldContain(clamd.SocketPath);

        tab.Find("[data-testid=scanner-test-detection]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=scanner-detection]").TextContent.ShouldBe(
            $"Detected the EICAR test file: {ClamdServer.EicarSignature}."), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void AnUnreachableClamdGivesAReadableErrorNotACrash()
    {
        UseClamd(new ClamAvOptions { Host = "127.0.0.1", Port = ClosedPort(), ConnectTimeoutSeconds = 2 });
        var tab = RenderTab<ScannersTab>();

        tab.Find("[data-testid=scanner-test]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=scanner-error]").TextContent.ShouldStartWith("clamd 127.0.0.1:"), TimeSpan.FromSeconds(15));
        tab.Find("[data-testid=scanner-error]").TextContent.ShouldContain("cannot be reached");
        tab.FindAll("[data-testid=scanner-info]").ShouldBeEmpty();

        tab.Find("[data-testid=scanner-test-detection]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=scanner-detection]").TextContent.ShouldStartWith("The scan did not finish:"), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void AnUnexpectedFailureIsShownAsAMessage()
    {
        var scanner = Substitute.For<IVirusScanner>();
        scanner.Name.Returns("scan command clamdscan");
        scanner.DescribeAsync(Arg.Any<CancellationToken>()).ThrowsAsync(new InvalidOperationException("the command printed nothing"));
        UseCommand(new ScanCommandOptions { Command = "/usr/bin/clamdscan", Arguments = ["--no-summary", "--fdpass", "{path}"], TimeoutSeconds = 60 }, scanner);
        var tab = RenderTab<ScannersTab>();

        var settings = tab.Find("[data-testid=scanner-settings]").TextContent;
        tab.Find("[data-testid=scanner-kind]").TextContent.ShouldBe("Command");
        settings.ShouldContain("/usr/bin/clamdscan");
        settings.ShouldContain("--no-summary --fdpass {path}");
        settings.ShouldNotContain("ClamAv:");

        tab.Find("[data-testid=scanner-test]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=scanner-error]").TextContent.ShouldBe(
            "Testing scan command clamdscan failed: the command printed nothing"));
    }

    [Fact]
    public void AScannerThatReportsTheEicarFileCleanIsFlagged()
    {
        var scanner = Substitute.For<IVirusScanner>();
        scanner.Name.Returns("scan command true");
        scanner.ScanAsync(Arg.Any<Stream>(), Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns(ScanVerdict.Clean(Portal.Core.Registry.Digest.Parse("sha256:" + new string('a', 64)), 68));
        UseCommand(new ScanCommandOptions { Command = "true" }, scanner);
        var tab = RenderTab<ScannersTab>();

        tab.Find("[data-testid=scanner-test-detection]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=scanner-detection]").TextContent.ShouldContain("it is not detecting malware"));
    }

    private void UseClamd(ClamAvOptions options)
    {
        Services.AddSingleton(Options.Create(new MalwareScanningOptions { Scanner = nameof(MalwareScannerKind.ClamAv) }));
        Services.AddSingleton(Options.Create(options));
        Services.AddSingleton(Options.Create(new ScanCommandOptions()));
        Services.AddSingleton<ILogger<ClamAvScanner>>(NullLogger<ClamAvScanner>.Instance);
        Services.AddSingleton<ClamAvScanner>();
        Services.AddSingleton<IVirusScanner>(provider => provider.GetRequiredService<ClamAvScanner>());
    }

    private void UseCommand(ScanCommandOptions options, IVirusScanner scanner)
    {
        Services.AddSingleton(Options.Create(new MalwareScanningOptions { Scanner = nameof(MalwareScannerKind.Command) }));
        Services.AddSingleton(Options.Create(new ClamAvOptions()));
        Services.AddSingleton(Options.Create(options));
        Services.AddSingleton(scanner);
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
