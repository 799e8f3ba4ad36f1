using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Integrations.ScanCommand;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.ScanCommand;

/// <summary>The runner every scan command goes through, with real processes, and the placeholders of its arguments.</summary>
public sealed class CommandRunnerTests : IDisposable
{
    private readonly TempDirectory _directory = new("portal-command-runner");
    private readonly CommandRunner _runner = new(TimeProvider.System, NullLogger.Instance);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task KeepsStdoutByteForByteWithinTheLimitAndTheEndOfStderr()
    {
        var script = TestScripts.Write(_directory, """
            printf 'caf\xc3\xa9\x00\xff\n'
            for i in $(seq 1 15); do echo "line $i" >&2; done
            exit 3
            """);
        var output = new OutputBytes(1_000);
        var errors = new OutputLines(5);

        var result = await _runner.RunAsync(Invocation(script), output, errors, Ct);

        result.ShouldBe(CommandResult.Exited(3));
        output.Exceeded.ShouldBeFalse();
        output.ToArray().ShouldBe([(byte)'c', (byte)'a', (byte)'f', 0xc3, 0xa9, 0x00, 0xff, (byte)'\n']);
        errors.Tail.ShouldBe(["line 11", "line 12", "line 13", "line 14", "line 15"]);
    }

    [Fact]
    public async Task OutputPastTheLimitIsDroppedWithoutBlockingTheCommand()
    {
        // 4 MiB through a 64 KiB pipe: the command only ends if its output keeps being read.
        var script = TestScripts.Write(_directory, "head -c 4194304 /dev/zero; exit 0");
        var output = new OutputBytes(1_000);

        var result = await _runner.RunAsync(Invocation(script), output, new OutputLines(5), Ct);

        result.ShouldBe(CommandResult.Exited(0));
        output.Exceeded.ShouldBeTrue();
        output.ToArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task SetsTheGivenVariablesForThisRunAndGivesAnEmptyStdin()
    {
        var script = TestScripts.Write(_directory, """
            printf '%s|' "$SCAN_TOKEN"
            cat
            printf '|done'
            """);
        var output = new OutputBytes(1_000);

        var result = await _runner.RunAsync(
            Invocation(script) with { Environment = new Dictionary<string, string> { ["SCAN_TOKEN"] = "t0k3n" } }, output, new OutputLines(5), Ct);

        result.Outcome.ShouldBe(CommandOutcome.Exited);
        System.Text.Encoding.UTF8.GetString(output.ToArray()).ShouldBe("t0k3n||done");
        Environment.GetEnvironmentVariable("SCAN_TOKEN").ShouldBeNull();
    }

    [Fact]
    public async Task ACallerThatCancelsKillsTheCommandAndIsTold()
    {
        var pid = _directory.File("pid");
        var script = TestScripts.Write(_directory, $"echo $$ > '{pid}'; exec sleep 60");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watch = Stopwatch.StartNew();

        var run = _runner.RunAsync(Invocation(script), new OutputBytes(1_000), new OutputLines(5), cancel.Token);
        while (!File.Exists(pid) || (await File.ReadAllTextAsync(pid, Ct)).Trim().Length == 0)
        {
            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15), "the script did not start");
            await Task.Delay(50, Ct);
        }

        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(run);
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
        TestScripts.IsGone(int.Parse((await File.ReadAllTextAsync(pid, Ct)).Trim(), System.Globalization.CultureInfo.InvariantCulture)).ShouldBeTrue();
    }

    [Fact]
    public async Task ACommandThatDoesNotExistIsNotStarted()
    {
        var result = await _runner.RunAsync(Invocation("/nonexistent/bin/scanner"), new OutputBytes(10), new OutputLines(5), Ct);

        result.Outcome.ShouldBe(CommandOutcome.NotStarted);
        result.StartFailure.ShouldNotBeNull();
    }

    [Fact]
    public void PlaceholdersAreReplacedAnywhereInAnArgumentInOnePass()
    {
        var values = new Dictionary<string, string> { ["{image}"] = "r/app@sha256:1", ["{digest}"] = "{image}" };

        CommandArguments.Expand(["--ref={image}", "x{digest}y", "{other}", "{{image}}"], "{image}", values)
            .ShouldBe(["--ref=r/app@sha256:1", "x{image}y", "{other}", "{r/app@sha256:1}"]);
    }

    [Fact]
    public void TheSubjectIsAddedLastWhenNoArgumentNamesItWithItsOptionsJustBefore()
    {
        var values = new Dictionary<string, string> { ["{image}"] = "r/app@sha256:1" };

        CommandArguments.Expand(["image", "--quiet"], "{image}", values, ["--insecure"])
            .ShouldBe(["image", "--quiet", "--insecure", "r/app@sha256:1"]);
        CommandArguments.Expand(["image", "{image}", "--quiet", "{image}"], "{image}", values, ["--insecure"])
            .ShouldBe(["image", "--insecure", "r/app@sha256:1", "--quiet", "r/app@sha256:1"]);
        CommandArguments.Expand([], "{image}", values).ShouldBe(["r/app@sha256:1"]);
    }

    private static CommandInvocation Invocation(string command) => new(command, [], TimeSpan.FromSeconds(30));
}
