using System.Text;
using Portal.Core.Registry;

namespace Portal.Tests.Core.Registry;

public sealed class RegistryEventParserTests
{
    private static readonly string DigestA = "sha256:" + new string('a', 64);
    private static readonly string DigestB = "sha256:" + new string('b', 64);

    private static RegistryEventBatch Parse(string json) => RegistryEventParser.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void ADistributionEnvelopeGivesItsManifestPushesAndDeletesAndIgnoresBlobsAndPulls()
    {
        // The shape CNCF Distribution sends (docs: notifications, "Envelope"), trimmed of request, actor and source.
        var batch = Parse($$$"""
            {"events":[
              {"id":"1","timestamp":"2026-11-23T10:00:00Z","action":"push",
               "target":{"mediaType":"application/octet-stream","size":1024,"digest":"{{{DigestB}}}","length":1024,"repository":"team/app","url":"http://r/v2/team/app/blobs/{{{DigestB}}}"}},
              {"id":"2","timestamp":"2026-11-23T10:00:01Z","action":"push",
               "target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":400,"digest":"{{{DigestA}}}","length":400,"repository":"team/app","url":"http://r/v2/team/app/manifests/{{{DigestA}}}","tag":"1.0"},
               "request":{"id":"x","addr":"127.0.0.1:5","host":"r","method":"PUT","useragent":"ci"},"actor":{},"source":{"addr":"r:5000","instanceID":"i"}},
              {"id":"3","timestamp":"2026-11-23T10:00:02Z","action":"pull",
               "target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{DigestA}}}","repository":"team/app","tag":"1.0"}},
              {"id":"4","timestamp":"2026-11-23T10:00:03Z","action":"delete","target":{"digest":"{{{DigestA}}}","repository":"team/tool"}}
            ]}
            """);

        batch.Events.ShouldBe([
            new RegistryEvent(RegistryEventAction.Push, "team/app", "1.0", DigestA),
            new RegistryEvent(RegistryEventAction.Delete, "team/tool", null, DigestA),
        ]);
        batch.Ignored.ShouldBe(2, "a layer blob and a pull change no tag");
    }

    [Fact]
    public void AnAcrWebhookIsOneEventWithoutAnEnvelope()
    {
        var batch = Parse($$$"""
            {"id":"cb8c3971","timestamp":"2026-11-23T10:00:00Z","action":"push",
             "target":{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":524,"digest":"{{{DigestA}}}","length":524,"repository":"hello-world","tag":"v1"},
             "request":{"id":"3cbb6949","host":"myregistry.azurecr.io","method":"PUT","useragent":"docker/17.09.0-ce"}}
            """);

        batch.Events.ShouldHaveSingleItem().ShouldBe(new RegistryEvent(RegistryEventAction.Push, "hello-world", "v1", DigestA));
    }

    [Fact]
    public void AHarborWebhookGivesOneEventPerResourceAndOtherTypesAreIgnored()
    {
        var push = Parse($$$"""
            {"type":"PUSH_ARTIFACT","occur_at":1700000000,"operator":"admin",
             "event_data":{"resources":[{"digest":"{{{DigestA}}}","tag":"v1","resource_url":"harbor/library/app:v1"},{"digest":"{{{DigestB}}}","tag":"v2"}],
                           "repository":{"date_created":1700000000,"name":"app","namespace":"library","repo_full_name":"library/app","repo_type":"private"} } }
            """);
        var scan = Parse("""{"type":"SCANNING_COMPLETED","occur_at":1700000000,"event_data":{"repository":{"repo_full_name":"library/app"}}}""");

        push.Events.ShouldBe([
            new RegistryEvent(RegistryEventAction.Push, "library/app", "v1", DigestA),
            new RegistryEvent(RegistryEventAction.Push, "library/app", "v2", DigestB),
        ]);
        scan.Events.ShouldBeEmpty();
        scan.Ignored.ShouldBe(1);
    }

    [Theory]
    [InlineData("{\"events\":[", "not valid JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("{\"hello\":1}", "Not a registry event")]
    [InlineData("{\"events\":{}}", "'events' must be an array")]
    [InlineData("{\"events\":[{\"target\":{\"repository\":\"a\"}}]}", "events[0] has no 'action'")]
    [InlineData("{\"events\":[{\"action\":\"push\"}]}", "events[0] has no 'target'")]
    [InlineData("{\"events\":[{\"action\":\"push\",\"target\":{\"tag\":\"v1\"}}]}", "names no repository")]
    [InlineData("{\"events\":[{\"action\":\"push\",\"target\":{\"repository\":\"../../etc/passwd\"}}]}", "events[0]")]
    [InlineData("{\"events\":[{\"action\":\"push\",\"target\":{\"repository\":\"Team/App\"}}]}", "events[0]")]
    [InlineData("{\"events\":[{\"action\":\"push\",\"target\":{\"repository\":\"a\",\"tag\":\"bad tag!\"}}]}", "events[0]")]
    [InlineData("{\"events\":[{\"action\":\"push\",\"target\":{\"repository\":\"a\",\"digest\":\"sha256:123\"}}]}", "events[0]")]
    public void BadInputIsRefusedWithAReason(string json, string reason)
    {
        Should.Throw<RegistryEventFormatException>(() => Parse(json)).Message.ShouldContain(reason);
    }
}
