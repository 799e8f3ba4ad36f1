using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Admission;
using Portal.Core.Inventory;
using Portal.Data;
using Portal.Features.Admission;
using Portal.Tests.Core.Admission;
using Portal.Tests.TestInfrastructure;

namespace Portal.Benchmarks;

/// <summary>Latency figures of one constant-rate phase.</summary>
/// <param name="CpuPerRequest">The whole process's CPU time (client and portal) per request, in ms: unlike latency, hardly moved by other processes on the machine.</param>
internal sealed record LoadPhase(string Name, int Sent, int Errors, double AchievedRate, double P50, double P99, double Max, int Refused, int Warned, double CpuPerRequest);

internal sealed record AdmissionResults(int Digests, int Tags, TimeSpan ViewBuild, int Rate, TimeSpan Duration, LoadPhase Floor, LoadPhase Admission);

/// <summary>
/// Issue 9's target: 2,000 reviews per second for 30 s over loopback HTTPS against an estate of 20,000 digests, p99 at
/// most 10 ms, no errors. The real portal runs on Kestrel with a certificate (Admission:Tls) over the seeded estate,
/// with curated, user and unclassified images enforced; the reviews are the fixtures' real pod in AdmissionReview form,
/// naming seeded images by tag and by digest (expired, held, healthy) and some the inventory does not know. The floor is
/// a static "always allow" answer in the same process on the same HTTPS listener (a middleware in front of routing),
/// driven by the same client at the same rate just before. The load is open-loop: each request is due at a fixed time
/// and its latency runs from then, so a stall delays the requests queued behind it too (no coordinated omission).
/// The client runs in the same process, so it shares the two cores with the portal.
/// </summary>
internal sealed class AdmissionBenchmark(BenchmarkOptions options, TextWriter log)
{
    public const int TargetRate = 2_000;
    public const double TargetP99Millis = 10;
    private const string FloorPath = "/bench/always-allow";
    private static readonly byte[] AlwaysAllow =
        Encoding.UTF8.GetBytes("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"static","allowed":true}}""");

    public async Task<AdmissionResults> RunAsync(CancellationToken cancellationToken)
    {
        using var directory = new TempDirectory("admission-bench");
        using var certificate = WriteCertificate(directory, out var certificatePath, out var keyPath);
        var (httpPort, httpsPort) = (FreePort(), FreePort());
        await using var portal = PortalSession.Start(
            settings: new Dictionary<string, string?>
            {
                ["urls"] = $"http://127.0.0.1:{httpPort}",
                ["Admission:Tls:CertificatePath"] = certificatePath,
                ["Admission:Tls:KeyPath"] = keyPath,
                ["Admission:Tls:Port"] = httpsPort.ToString(CultureInfo.InvariantCulture),
                ["Notifications:PortalUrl"] = "https://portal.example.org",
                ["Jobs:Schedules:lifecycle"] = "0 0 0 1 1 ? 2099",
                ["Jobs:Schedules:vulnerability-scan"] = "0 0 0 1 1 ? 2099",
                ["Jobs:Schedules:workload-sync"] = "0 0 0 1 1 ? 2099",
                ["Logging:LogLevel:Portal.Features.Admission"] = "Warning",
            },
            kestrel: true,
            testServices: services => services.AddSingleton<IStartupFilter, AlwaysAllowFilter>());

        var findings = options.Quick ? 100_000 : EstateSeeder.FullFindings;
        await BenchmarkLog.WriteAsync(log, $"Admission: seeding {Stats.Number(EstateSeeder.FullDigests)} digests, {Stats.Number(findings)} findings, "
            + $"{Stats.Number(EstateSeeder.FullWorkloads)} workloads...");
        await new EstateSeeder(portal, DateTimeOffset.UtcNow).SeedAsync(EstateSeeder.FullDigests, findings, EstateSeeder.FullWorkloads, cancellationToken);
        await AddScanRecordsAsync(portal, cancellationToken);
        var saved = await portal.Services.GetRequiredService<AdmissionPolicies>().SaveAsync(new AdmissionPolicy
        {
            Modes = new Dictionary<ImageClass, AdmissionMode>
            {
                [ImageClass.Curated] = AdmissionMode.Enforce, [ImageClass.User] = AdmissionMode.Enforce,
                [ImageClass.Unclassified] = AdmissionMode.Enforce, [ImageClass.Platform] = AdmissionMode.Warn,
            },
            UnknownImages = AdmissionAction.Warn,
            UnscannedImages = AdmissionAction.Warn,
        }, "benchmark@example.org", cancellationToken);
        if (!saved.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", saved.Errors));
        }

        var view = portal.Services.GetRequiredService<AdmissionView>();
        var index = await view.RefreshAsync(cancellationToken);
        var build = view.LastBuildTime;
        await BenchmarkLog.WriteAsync(log, $"Admission view: {Stats.Number(index.DigestCount)} digests, {Stats.Number(index.TagCount)} tags, built in {Stats.Seconds(build)}.");

        var reviews = await ReviewsAsync(portal, index, cancellationToken);
        using var handler = new SocketsHttpHandler
        {
            // Trusts exactly the portal's certificate, as the API server trusts the caBundle.
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString(),
            },
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
        };
        // HTTP/2 over TLS, as the API server's Go client speaks to webhooks: a few multiplexed connections, no handshakes under load.
        using var client = new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://127.0.0.1:{httpsPort}"),
            Timeout = TimeSpan.FromSeconds(10),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var duration = TimeSpan.FromSeconds(options.Quick ? 10 : 30);
        var warmUp = TimeSpan.FromSeconds(options.Quick ? 2 : 5);

        await BenchmarkLog.WriteAsync(log, $"Admission: warming up both endpoints for {Stats.Seconds(warmUp)} each...");
        await RunPhaseAsync("warm-up floor", client, FloorPath, reviews, TargetRate, warmUp, cancellationToken);
        await RunPhaseAsync("warm-up admission", client, Portal.Api.AdmissionEndpoints.ValidatePath, reviews, TargetRate, warmUp, cancellationToken);
        await BenchmarkLog.WriteAsync(log, $"Admission: the always-allow floor at {Stats.Number(TargetRate)}/s for {Stats.Seconds(duration)}...");
        var floor = await RunPhaseAsync("always allow (floor)", client, FloorPath, reviews, TargetRate, duration, cancellationToken);
        await BenchmarkLog.WriteAsync(log, $"Admission: the webhook at {Stats.Number(TargetRate)}/s for {Stats.Seconds(duration)}...");
        var admission = await RunPhaseAsync("admission webhook", client, Portal.Api.AdmissionEndpoints.ValidatePath, reviews, TargetRate, duration, cancellationToken);
        return new AdmissionResults(index.DigestCount, index.TagCount, build, TargetRate, duration, floor, admission);
    }

    public static void AddTo(Report report, AdmissionResults r)
    {
        var (f, a) = (r.Floor, r.Admission);
        report.Add($"Admission p99, {Stats.Number(r.Rate)}/s for {r.Duration.TotalSeconds:0} s over HTTPS, {Stats.Number(r.Digests)} digests",
            Stats.Millis(a.P99), Stats.Millis(f.P99) + " (always allow)", Stats.Ratio(a.P99 / Math.Max(f.P99, 0.001)), $"<= {TargetP99Millis:0} ms",
            a.P99 <= TargetP99Millis);
        report.Add("Admission errors", Stats.Number(a.Errors), Stats.Number(f.Errors), "-", "0", a.Errors == 0);
        report.Add("Admission achieved rate", a.AchievedRate.ToString("N0", CultureInfo.InvariantCulture) + "/s",
            f.AchievedRate.ToString("N0", CultureInfo.InvariantCulture) + "/s", Stats.Ratio(a.AchievedRate / Math.Max(f.AchievedRate, 1)),
            $">= {Stats.Number(r.Rate)}/s", a.AchievedRate >= r.Rate * 0.99);
        report.Add("Admission p50", Stats.Millis(a.P50), Stats.Millis(f.P50), Stats.Ratio(a.P50 / Math.Max(f.P50, 0.001)), "-", null);
        report.Add("Admission CPU per review (process, client included)", Stats.Millis(a.CpuPerRequest), Stats.Millis(f.CpuPerRequest),
            Stats.Ratio(a.CpuPerRequest / Math.Max(f.CpuPerRequest, 0.001)), "-", null);
    }

    public static void WriteDetails(TextWriter log, AdmissionResults r)
    {
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Admission: view of {Stats.Number(r.Digests)} digests and {Stats.Number(r.Tags)} tags built in {Stats.Seconds(r.ViewBuild)}."));
        foreach (var p in new[] { r.Floor, r.Admission })
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {p.Name}: {Stats.Number(p.Sent)} sent, {p.AchievedRate:N0}/s, p50 {Stats.Millis(p.P50)}, p99 {Stats.Millis(p.P99)}, max {Stats.Millis(p.Max)}, "
                + $"{Stats.Number(p.Errors)} errors, {Stats.Number(p.Refused)} refused, {Stats.Number(p.Warned)} with warnings, "
                + $"{Stats.Millis(p.CpuPerRequest)} CPU per request"));
        }
    }

    /// <summary>
    /// A thousand reviews of the fixtures' stress2 pod, each naming one image: seeded images by tag (most) and by digest,
    /// and one in ten an image the inventory does not know.
    /// </summary>
    private static async Task<byte[][]> ReviewsAsync(PortalSession portal, AdmissionIndex index, CancellationToken cancellationToken)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        var tags = await (
                from tag in db.Tags
                join repository in db.Repositories on tag.RepositoryId equals repository.Id
                join image in db.Images on tag.ImageId equals image.Id
                orderby tag.Id
                select new { Repository = repository.Name, Tag = tag.Name, image.Digest })
            .Take(20_000)
            .ToListAsync(cancellationToken);
        var random = new Random(9);
        var reviews = new byte[1_000][];
        for (var i = 0; i < reviews.Length; i++)
        {
            var pick = tags[random.Next(tags.Count)];
            var image = (i % 10) switch
            {
                0 => $"registry.example.test/unknown/service-{i}:1.0",
                1 or 2 => $"registry.example.test/{pick.Repository}@{pick.Digest}",
                _ => $"registry.example.test/{pick.Repository}:{pick.Tag}",
            };
            var pod = AdmissionFixtures.Pod("stress2").WithImage(image);
            reviews[i] = Encoding.UTF8.GetBytes(AdmissionFixtures.Review(pod, uid: $"00000000-0000-4000-8000-{i:D12}"));
        }

        _ = index;
        return reviews;
    }

    /// <summary>Most images of an estate have been scanned; one in twenty has not, so "never scanned" warnings stay a minority.</summary>
    private static async Task AddScanRecordsAsync(PortalSession portal, CancellationToken cancellationToken)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        var digests = await db.Images.Where(i => i.ParentId == null).OrderBy(i => i.Id).Select(i => i.Digest).ToListAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        db.ScanRecords.AddRange(digests.Where((_, i) => i % 20 != 0)
            .Select(d => Portal.Core.Findings.ScanRecord.Create(d, Portal.Core.Findings.ReportFormat.Trivy, "scan-command:trivy", "Trivy", now, now, [], 0, 0)));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static async Task<LoadPhase> RunPhaseAsync(
        string name, HttpClient client, string path, byte[][] reviews, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new double[total];
        var tasks = new Task[total];
        var (errors, refused, warned) = (new int[1], new int[1], new int[1]);
        var interval = (double)Stopwatch.Frequency / rate;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var sent = 0;
        while (sent < total)
        {
            var now = Stopwatch.GetTimestamp();
            while (sent < total && started + (long)(sent * interval) <= now)
            {
                var due = started + (long)(sent * interval);
                tasks[sent] = SendAsync(client, path, reviews[sent % reviews.Length], sent, due, latencies, errors, refused, warned, cancellationToken);
                sent++;
            }

            await Task.Delay(1, cancellationToken);
        }

        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpuPerRequest = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / total;
        Array.Sort(latencies);
        return new LoadPhase(name, total, errors[0], total / elapsed.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies[^1],
            refused[0], warned[0], cpuPerRequest);
    }

    private static async Task SendAsync(
        HttpClient client, string path, byte[] review, int i, long due, double[] latencies, int[] errors, int[] refused, int[] warned,
        CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(review);
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync(path, content, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            latencies[i] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref errors[0]);
                return;
            }

            if (path == FloorPath)
            {
                return;
            }

            // Every answer must be a review for this request's uid; a refusal or a warning is an answer, not an error.
            var answer = AdmissionFixtures.Response(body);
            if (answer.GetProperty("uid").GetString() != $"00000000-0000-4000-8000-{i % 1_000:D12}")
            {
                Interlocked.Increment(ref errors[0]);
            }
            else if (!answer.GetProperty("allowed").GetBoolean())
            {
                Interlocked.Increment(ref refused[0]);
            }
            else if (answer.TryGetProperty("warnings", out _))
            {
                Interlocked.Increment(ref warned[0]);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            latencies[i] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            Interlocked.Increment(ref errors[0]);
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static X509Certificate2 WriteCertificate(TempDirectory directory, out string certificatePath, out string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=image-governance-portal", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        certificatePath = directory.File("tls.crt");
        keyPath = directory.File("tls.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The floor: a fixed "allowed" review for any POST to <see cref="FloorPath"/>, before routing, authentication and the rest.</summary>
    private sealed class AlwaysAllowFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                if (context.Request.Path == FloorPath)
                {
                    // Reads the body as the webhook does, so both pay for the same bytes on the wire.
                    await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
                    context.Response.ContentType = "application/json";
                    await context.Response.Body.WriteAsync(AlwaysAllow, context.RequestAborted);
                    return;
                }

                await following(context);
            });
            next(app);
        };
    }
}
