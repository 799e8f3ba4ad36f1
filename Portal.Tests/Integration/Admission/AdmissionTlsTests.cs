using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Portal.Tests.Core.Admission;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Admission;

/// <summary>
/// The portal on real Kestrel with a configured certificate: the webhook answers over HTTPS on its own port, a client that
/// trusts only the caBundle's certificate accepts it, and the plain-http address does not offer the endpoint.
/// </summary>
public sealed class AdmissionTlsTests : IDisposable
{
    private readonly TempDirectory _directory = new("admission-tls");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheWebhookIsServedOverHttpsWithTheConfiguredCertificateAndNotOverPlainHttp()
    {
        using var certificate = WriteCertificate(out var certificatePath, out var keyPath);
        var (httpPort, httpsPort) = (LocalServers.FreePort(), LocalServers.FreePort());
        await using var factory = PortalAppFactory.WithSettings(new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{httpPort}",
            ["Admission:Tls:CertificatePath"] = certificatePath,
            ["Admission:Tls:KeyPath"] = keyPath,
            ["Admission:Tls:Port"] = httpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        factory.UseKestrel();
        factory.StartServer();
        // Trusts exactly the configured certificate, as the API server trusts the caBundle.
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString(),
            },
        };
        using var client = new HttpClient(handler);
        var review = AdmissionFixtures.Review(AdmissionFixtures.Pod("stress2"));

        using var overHttps = await client.PostAsync($"https://127.0.0.1:{httpsPort}/api/v1/admission/validate",
            new StringContent(review, Encoding.UTF8, "application/json"), Ct);
        using var overHttp = await client.PostAsync($"http://127.0.0.1:{httpPort}/api/v1/admission/validate",
            new StringContent(review, Encoding.UTF8, "application/json"), Ct);

        overHttps.StatusCode.ShouldBe(HttpStatusCode.OK);
        AdmissionFixtures.Response(await overHttps.Content.ReadAsByteArrayAsync(Ct)).GetProperty("uid").GetString().ShouldBe("705ab4f5-6393-11e8-b7cc-42010a800002");
        overHttp.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await overHttp.Content.ReadAsStringAsync(Ct)).ShouldContain("Admission is offered only over HTTPS");
    }

    public void Dispose() => _directory.Dispose();

    private X509Certificate2 WriteCertificate(out string certificatePath, out string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=image-governance-portal.image-governance.svc", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("image-governance-portal.image-governance.svc");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        certificatePath = _directory.File("tls.crt");
        keyPath = _directory.File("tls.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }
}
