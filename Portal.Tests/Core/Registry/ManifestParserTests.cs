using System.Text;
using System.Text.Json.Nodes;
using Portal.Core.Registry;

namespace Portal.Tests.Core.Registry;

public sealed class ManifestParserTests
{
    // A signed schema 1 manifest in the shape of the example in distribution's docs/spec/manifest-v2-1.md.
    private const string Schema1Manifest = """
        {
           "name": "hello-world",
           "tag": "latest",
           "architecture": "amd64",
           "fsLayers": [
              { "blobSum": "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef" },
              { "blobSum": "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef" },
              { "blobSum": "sha256:cc8567d70002e957612902a8e985ea129d831ebe04057d88fb644857caa45d11" },
              { "blobSum": "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef" }
           ],
           "history": [
              { "v1Compatibility": "{\"id\":\"e45a5af57b00862e5ef5782a9925979a02ba2b12dff832fd0991335f4a11e5c5\",\"parent\":\"31cbccb51277105ba3ae35ce33c22b69c9e3f1002e76e4c736a2e8ebff9d7b5d\",\"created\":\"2014-12-31T22:57:59.178729048Z\",\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) CMD [/hello]\"]},\"architecture\":\"amd64\",\"os\":\"linux\",\"Size\":0}\n" },
              { "v1Compatibility": "{\"id\":\"31cbccb51277105ba3ae35ce33c22b69c9e3f1002e76e4c736a2e8ebff9d7b5d\",\"created\":\"2014-10-13T02:03:00.000000000Z\",\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) ADD file:4abd3bff60458ca3b079d7b131ce26b2719055a030dfa96ff827da2b7c7038a7 in /\"]},\"architecture\":\"amd64\",\"os\":\"linux\",\"Size\":910}\n" }
           ],
           "schemaVersion": 1,
           "signatures": [
              {
                 "header": {
                    "jwk": {
                       "crv": "P-256",
                       "kid": "OD6I:6DRK:JXEJ:KBM4:255X:NSAA:MUSF:E4VM:ZI6W:CUN2:L4Z6:LSF4",
                       "kty": "EC",
                       "x": "3gAwX48IQ5oaYQAYSxor6rYYc_6yjuLCjtQ9LUakg4A",
                       "y": "t72ge6kIA1XOjqjVoEOiPPAURltJFBMGDSQvEGVB010"
                    },
                    "alg": "ES256"
                 },
                 "signature": "XREm0L8WNn27Ga_iE_vRnTxVMhhYY0Zst_FfkKopg6gWSoTOZTuW4rK0fg_IqnKkEKlbD83tD46LKEGi5aIVFg",
                 "protected": "eyJmb3JtYXRMZW5ndGgiOjY2MjgsImZvcm1hdFRhaWwiOiJDbjAiLCJ0aW1lIjoiMjAxNS0wNC0wOFQxODo1Mjo1OVoifQ"
              }
           ]
        }
        """;

    private static readonly Digest EmptyJsonDigest =
        Digest.Parse("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");

    [Fact]
    public void ParsesTheOciIndexFixtureWithPlatforms()
    {
        var manifest = ManifestParser.Parse(RegistryFixtures.ContainersImage("ociv1.image.index.json"), MediaTypes.OciIndex);

        manifest.Kind.ShouldBe(ManifestKind.Index);
        manifest.MediaType.ShouldBe(MediaTypes.OciIndex);
        manifest.Config.ShouldBeNull();
        manifest.Layers.ShouldBeEmpty();
        manifest.Manifests.Count.ShouldBe(2);
        manifest.Manifests[0].Platform.ShouldBe(new Platform("linux", "ppc64le", null));
        manifest.Manifests[0].Size.ShouldBe(7143);
        manifest.Manifests[0].Digest.ToString()
            .ShouldBe("sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f");
        manifest.Manifests[1].Platform!.ToString().ShouldBe("linux/amd64");
        manifest.Manifests[1].MediaType.ShouldBe(MediaTypes.OciManifest);
        manifest.Annotations["com.example.key2"].ShouldBe("value2");
        manifest.PlatformManifests.Count().ShouldBe(2);
        manifest.UnsupportedReason.ShouldBeNull();
    }

    [Fact]
    public void ParsesTheOciManifestFixtureWithLayersInOrder()
    {
        var manifest = ManifestParser.Parse(RegistryFixtures.ContainersImage("ociv1.manifest.json"), MediaTypes.OciManifest);

        manifest.Kind.ShouldBe(ManifestKind.Image);
        manifest.Config.ShouldNotBeNull().MediaType.ShouldBe(MediaTypes.OciConfig);
        manifest.Config.Size.ShouldBe(7023);
        manifest.Config.Digest.Short.ShouldBe("b5b2b2c507a0");
        manifest.Layers.Select(l => l.Size).ShouldBe([32654L, 16724L, 73109L]);
        manifest.Layers.ShouldAllBe(l => l.MediaType == "application/vnd.oci.image.layer.v1.tar+gzip");
        manifest.TotalLayerSize.ShouldBe(32654 + 16724 + 73109);
        manifest.Manifests.ShouldBeEmpty();
        manifest.ArtifactType.ShouldBeNull();
        manifest.IsContainerImage.ShouldBeTrue();
        manifest.Annotations.Count.ShouldBe(2);
    }

    [Fact]
    public void ParsesTheDockerManifestListFixtureWithVariants()
    {
        var manifest = ManifestParser.Parse(
            RegistryFixtures.ContainersImage("v2list.manifest.json"), MediaTypes.DockerManifestList);

        manifest.Kind.ShouldBe(ManifestKind.Index);
        manifest.MediaType.ShouldBe(MediaTypes.DockerManifestList);
        manifest.Manifests.Select(m => m.Platform!.ToString()).ShouldBe(
            ["linux/ppc64le", "linux/amd64", "linux/s390x", "linux/arm/armv7", "linux/arm64/armv8"]);

        // The fixture's children are schema 1 manifests: the list parses, the children would be unsupported.
        manifest.Manifests.ShouldAllBe(m => m.MediaType == MediaTypes.DockerManifestV1);
        manifest.Manifests.ShouldAllBe(m => m.Annotations.Count == 0);
    }

    [Fact]
    public void ParsesTheDockerSchema2ManifestFixture()
    {
        var manifest = ManifestParser.Parse(RegistryFixtures.ContainersImage("v2s2.manifest.json"), MediaTypes.DockerManifest);

        manifest.Kind.ShouldBe(ManifestKind.Image);
        manifest.MediaType.ShouldBe(MediaTypes.DockerManifest);
        manifest.Config!.MediaType.ShouldBe(MediaTypes.DockerConfig);
        manifest.Layers.Count.ShouldBe(3);
        manifest.Layers[2].Digest.ToString()
            .ShouldBe("sha256:ec4b8955958665577945c89419d1af06b5f7636b4ac3da7f12184802ad867736");
        manifest.TotalLayerSize.ShouldBe(122487);
        manifest.IsContainerImage.ShouldBeTrue();
    }

    [Fact]
    public void ParsesTheImageSpecManifestExamples()
    {
        var examples = RegistryFixtures.SpecExamples("manifest.md", MediaTypes.OciManifest);
        examples.Count.ShouldBe(4);

        var parsed = examples.Select(e => ManifestParser.Parse(Encoding.UTF8.GetBytes(e), MediaTypes.OciManifest)).ToList();

        parsed.ShouldAllBe(m => m.Kind == ManifestKind.Image);
        parsed[0].ArtifactType.ShouldBeNull();
        parsed[0].Subject.ShouldNotBeNull().Size.ShouldBe(7682);

        // The three artifact examples: minimal, without config, with config.
        parsed.Skip(1).ShouldAllBe(m => m.ArtifactType == "application/vnd.example+type");
        parsed[1].Config!.Digest.ShouldBe(EmptyJsonDigest);
        parsed[1].Layers.Single().MediaType.ShouldBe(MediaTypes.OciEmpty);
        parsed[3].Config!.MediaType.ShouldBe("application/vnd.example.config.v1+json");
        parsed.Skip(1).ShouldAllBe(m => !m.IsContainerImage);
    }

    [Fact]
    public void ParsesTheImageSpecIndexExamplesIncludingANestedIndex()
    {
        var examples = RegistryFixtures.SpecExamples("image-index.md", MediaTypes.OciIndex);
        examples.Count.ShouldBe(2);

        var nested = ManifestParser.Parse(Encoding.UTF8.GetBytes(examples[1]), null);

        nested.Kind.ShouldBe(ManifestKind.Index);
        nested.Manifests[1].MediaType.ShouldBe(MediaTypes.OciIndex);
        nested.Manifests[1].Platform.ShouldBeNull();
        ManifestParser.Parse(Encoding.UTF8.GetBytes(examples[0]), null).Manifests.Count.ShouldBe(2);
    }

    [Fact]
    public void WalksTheRegclientLayoutVerifyingEveryBlobItHolds()
    {
        var indexBytes = File.ReadAllBytes(Path.Combine(RegistryFixtures.RegclientLayout, "index.json"));
        var layout = ManifestParser.Parse(indexBytes, null);
        layout.Kind.ShouldBe(ManifestKind.Index);
        layout.Manifests.Count.ShouldBe(26);
        layout.Manifests[3].Annotations["org.opencontainers.image.ref.name"].ShouldBe("v1");

        var visited = new List<(Digest Digest, ParsedManifest Manifest)>();
        var configs = new List<ImageConfig>();
        var pending = new Queue<Descriptor>(layout.Manifests);
        var seen = new HashSet<Digest>();
        while (pending.TryDequeue(out var descriptor))
        {
            // The layout keeps only a few of the blobs its index names; walk those it has.
            if (!seen.Add(descriptor.Digest) || ReadBlob(descriptor) is not { } bytes)
            {
                continue;
            }

            var manifest = ManifestParser.Parse(bytes, descriptor.MediaType);
            visited.Add((descriptor.Digest, manifest));
            manifest.Manifests.ToList().ForEach(pending.Enqueue);
            if (manifest.Config is { } config && config.Digest != EmptyJsonDigest && ReadBlob(config) is { } configBytes)
            {
                configs.Add(ImageConfigParser.Parse(configBytes));
            }
        }

        visited.Select(v => v.Digest.Short).ShouldBe(["7ceb9b6bcc27", "43089316cfee", "1effc9d48232"], ignoreOrder: true);

        var v1 = visited.Single(v => v.Digest.Short == "7ceb9b6bcc27").Manifest;
        v1.Kind.ShouldBe(ManifestKind.Index);
        v1.Manifests.Count.ShouldBe(4);
        v1.PlatformManifests.Select(m => m.Platform!.ToString()).ShouldBe(["linux/amd64", "linux/arm64"]);
        v1.Manifests.Count(m => m.IsAttachment).ShouldBe(2);
        v1.Manifests[2].Annotations[Descriptor.ReferenceTypeAnnotation].ShouldBe("builder");

        var amd64 = visited.Single(v => v.Digest.Short == "1effc9d48232").Manifest;
        amd64.IsContainerImage.ShouldBeTrue();
        amd64.TotalLayerSize.ShouldBe(106 + 103);

        // The "builder" record is an image manifest whose config is the empty JSON blob and whose only layer is
        // not a filesystem layer: nothing in the manifest itself marks it as an artifact, only the index entry does.
        var builder = visited.Single(v => v.Digest.Short == "43089316cfee").Manifest;
        builder.Config!.Digest.ShouldBe(Digest.Sha256Of("{}"u8));
        builder.Layers.Single().MediaType.ShouldBe("application/vnd.example.build-type+json");

        configs.Count.ShouldBe(1);
        configs[0].Labels["version"].ShouldBe("1");
    }

    [Fact]
    public void ReportsASchema1ManifestAsUnsupportedWhateverTheContentType()
    {
        var bytes = Encoding.UTF8.GetBytes(Schema1Manifest);

        foreach (var contentType in new[] { MediaTypes.DockerManifestV1Signed, MediaTypes.DockerManifestV1, "application/json", null })
        {
            var manifest = ManifestParser.Parse(bytes, contentType);

            manifest.Kind.ShouldBe(ManifestKind.Unsupported);
            manifest.UnsupportedReason.ShouldBe("Docker schema 1 manifests are not supported");
            manifest.Layers.ShouldBeEmpty();
            manifest.Config.ShouldBeNull();
            manifest.IsContainerImage.ShouldBeFalse();
        }
    }

    [Fact]
    public void AcceptsAContentTypeWithParameters()
    {
        var manifest = ManifestParser.Parse(
            RegistryFixtures.ContainersImage("ociv1.manifest.json"), "application/vnd.oci.image.manifest.v1+json; charset=utf-8");

        manifest.Kind.ShouldBe(ManifestKind.Image);
        manifest.MediaType.ShouldBe(MediaTypes.OciManifest);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("text/plain")]
    [InlineData(null)]
    [InlineData("")]
    public void FallsBackToTheMediaTypeFieldForAGenericContentType(string? contentType)
    {
        var list = ManifestParser.Parse(RegistryFixtures.ContainersImage("v2list.manifest.json"), contentType);
        var image = ManifestParser.Parse(RegistryFixtures.ContainersImage("v2s2.manifest.json"), contentType);

        list.MediaType.ShouldBe(MediaTypes.DockerManifestList);
        list.Kind.ShouldBe(ManifestKind.Index);
        image.MediaType.ShouldBe(MediaTypes.DockerManifest);
        image.Kind.ShouldBe(ManifestKind.Image);
    }

    [Fact]
    public void FallsBackToTheShapeWhenNeitherContentTypeNorFieldSaysWhatItIs()
    {
        var index = Edit("ociv1.image.index.json", root => root.Remove("mediaType"));
        var image = Edit("ociv1.manifest.json", root => root.Remove("mediaType"));

        ManifestParser.Parse(index, "application/json").ShouldSatisfyAllConditions(
            m => m.Kind.ShouldBe(ManifestKind.Index),
            m => m.MediaType.ShouldBe(MediaTypes.OciIndex),
            m => m.Manifests.Count.ShouldBe(2));
        ManifestParser.Parse(image, null).ShouldSatisfyAllConditions(
            m => m.Kind.ShouldBe(ManifestKind.Image),
            m => m.MediaType.ShouldBe(MediaTypes.OciManifest),
            m => m.Layers.Count.ShouldBe(3));
    }

    [Fact]
    public void IgnoresUnknownFields()
    {
        var bytes = Edit("ociv1.manifest.json", root =>
        {
            root["x-vendor"] = new JsonObject { ["nested"] = new JsonArray(1, 2, 3) };
            root["layers"]![0]!["urls"] = new JsonArray("https://example.com/layer");
        });

        ManifestParser.Parse(bytes, MediaTypes.OciManifest).Layers.Count.ShouldBe(3);
    }

    [Fact]
    public void ExposesTheArtifactTypeOfASignatureManifest()
    {
        var bytes = Edit("ociv1.manifest.json", root =>
        {
            root["artifactType"] = "application/vnd.cncf.notary.signature";
            root["config"]!["mediaType"] = MediaTypes.OciEmpty;
            root["subject"] = new JsonObject
            {
                ["mediaType"] = MediaTypes.OciManifest,
                ["digest"] = "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270",
                ["size"] = 7682,
            };
        });

        var manifest = ManifestParser.Parse(bytes, MediaTypes.OciManifest);

        manifest.Kind.ShouldBe(ManifestKind.Image);
        manifest.ArtifactType.ShouldBe("application/vnd.cncf.notary.signature");
        manifest.Subject!.Digest.Short.ShouldBe("5b0bcabd1ed2");
        manifest.IsContainerImage.ShouldBeFalse();
    }

    [Fact]
    public void TakesANonImageConfigTypeAsTheArtifactTypeWhenArtifactTypeIsAbsent()
    {
        var bytes = Edit("ociv1.manifest.json", root => root["config"]!["mediaType"] = "application/vnd.cncf.helm.config.v1+json");

        ManifestParser.Parse(bytes, null).ArtifactType.ShouldBe("application/vnd.cncf.helm.config.v1+json");
    }

    [Theory]
    [InlineData("application/vnd.example.unknown+json", "'application/vnd.example.unknown+json' is not supported")]
    [InlineData(MediaTypes.OciArtifactManifest, "withdrawn OCI 1.1 draft")]
    public void ReportsUnknownMediaTypesAsUnsupported(string mediaType, string reasonPart)
    {
        var bytes = Edit("ociv1.manifest.json", root => root["mediaType"] = mediaType);

        var manifest = ManifestParser.Parse(bytes, "application/json");

        manifest.Kind.ShouldBe(ManifestKind.Unsupported);
        manifest.MediaType.ShouldBe(mediaType);
        manifest.UnsupportedReason.ShouldNotBeNull().ShouldContain(reasonPart);
    }

    [Fact]
    public void ReportsAnUnknownSchemaVersionAsUnsupported()
    {
        var bytes = Edit("ociv1.manifest.json", root => root["schemaVersion"] = 3);

        ManifestParser.Parse(bytes, MediaTypes.OciManifest).UnsupportedReason.ShouldBe("Manifest schemaVersion 3 is not supported");
    }

    [Fact]
    public void RejectsTruncatedJson()
    {
        var bytes = RegistryFixtures.ContainersImage("ociv1.manifest.json");

        var ex = Should.Throw<ManifestFormatException>(() => ManifestParser.Parse(bytes.AsSpan(0, bytes.Length / 2), MediaTypes.OciManifest));

        ex.Message.ShouldContain("not valid JSON");
    }

    [Theory]
    [InlineData("", "Manifest is empty")]
    [InlineData("[]", "must be a JSON object, not an array")]
    [InlineData("\"manifest\"", "must be a JSON object, not a string")]
    [InlineData("{\"schemaVersion\":2}", "no mediaType and neither")]
    [InlineData("{\"schemaVersion\":2,\"manifests\":[],\"config\":{}}", "ambiguous")]
    public void RejectsDocumentsThatAreNotManifests(string json, string expectedMessagePart)
    {
        var ex = Should.Throw<ManifestFormatException>(() => ManifestParser.Parse(Encoding.UTF8.GetBytes(json), null));

        ex.Message.ShouldContain(expectedMessagePart);
    }

    public static TheoryData<string, string, string> MalformedManifests => new()
    {
        { "ociv1.manifest.json", "schemaVersion=\"2\"", "schemaVersion must be a whole number, not a string" },
        { "ociv1.manifest.json", "schemaVersion=2.5", "schemaVersion must be a whole number" },
        { "ociv1.manifest.json", "schemaVersion=", "schemaVersion is required" },
        { "ociv1.manifest.json", "layers[1].size=-5", "layers[1].size must not be negative" },
        { "ociv1.manifest.json", "layers[0].size=1.5", "layers[0].size must be a whole number" },
        { "ociv1.manifest.json", "layers[2].size=\"73109\"", "layers[2].size must be a number" },
        { "ociv1.manifest.json", "layers[2].size=", "layers[2].size is required" },
        { "ociv1.manifest.json", "config.digest=\"sha256:B5B2B2C507A0944348E0303114D8D93AAAA081732B86451D9BCE1F432A537BC7\"", "config.digest is invalid" },
        { "ociv1.manifest.json", "config.digest=\"sha256:b5b2b2c5\"", "config.digest is invalid" },
        { "ociv1.manifest.json", "layers[0].digest=\"md5:d41d8cd98f00b204e9800998ecf8427e\"", "layers[0].digest is invalid" },
        { "ociv1.manifest.json", "config.mediaType=", "config.mediaType is required" },
        { "ociv1.manifest.json", "config.mediaType=\"\"", "config.mediaType must not be empty" },
        { "ociv1.manifest.json", "config=", "config is required" },
        { "ociv1.manifest.json", "config=[]", "config must be a JSON object" },
        { "ociv1.manifest.json", "layers={}", "layers must be a JSON array" },
        { "ociv1.manifest.json", "layers=[\"sha256:x\"]", "layers[0] must be a JSON object" },
        { "ociv1.manifest.json", "annotations.com.example.key1=1", "annotations.com.example.key1 must be a string" },
        { "ociv1.manifest.json", "mediaType=7", "mediaType must be a string" },
        { "ociv1.image.index.json", "manifests=", "manifests is required" },
        { "ociv1.image.index.json", "manifests[1].digest=\"sha256:5B0BCABD1ED22E9FB1310CF6C2DEC7CDEF19F0AD69EFA1F392E94A4333501270\"", "manifests[1].digest is invalid" },
        { "ociv1.image.index.json", "manifests[0].platform.os=", "manifests[0].platform.os is required" },
        { "ociv1.image.index.json", "manifests[0].platform=\"linux/amd64\"", "manifests[0].platform must be a JSON object" },
        { "v2s2.manifest.json", "layers[0].size=-1", "layers[0].size must not be negative" },
        { "v2list.manifest.json", "manifests[4].platform.architecture=64", "manifests[4].platform.architecture must be a string" },
    };

    [Theory]
    [MemberData(nameof(MalformedManifests))]
    public void RejectsMalformedFieldsNamingTheField(string fixture, string edit, string expectedMessagePart)
    {
        var bytes = Edit(fixture, root => ApplyEdit(root, edit));

        var ex = Should.Throw<ManifestFormatException>(() => ManifestParser.Parse(bytes, null));

        ex.Message.ShouldContain(expectedMessagePart);
    }

    [Fact]
    public void TreatsNullOptionalFieldsAsAbsent()
    {
        var bytes = Edit("ociv1.image.index.json", root =>
        {
            root["annotations"] = null;
            root["manifests"]![0]!["platform"] = null;
        });

        var manifest = ManifestParser.Parse(bytes, null);

        manifest.Annotations.ShouldBeEmpty();
        manifest.Manifests[0].Platform.ShouldBeNull();
    }

    [Fact]
    public void ListsEveryManifestTypeToAcceptWithSchema1Last()
    {
        var accept = MediaTypes.ManifestAcceptTypes;

        accept.ShouldBe(
            [MediaTypes.OciIndex, MediaTypes.OciManifest, MediaTypes.DockerManifestList, MediaTypes.DockerManifest,
             MediaTypes.DockerManifestV1Signed, MediaTypes.DockerManifestV1],
            ignoreOrder: true);
        accept.TakeLast(2).ShouldAllBe(t => MediaTypes.IsSchema1(t));
    }

    private static byte[]? ReadBlob(Descriptor descriptor)
    {
        var path = RegistryFixtures.RegclientBlob(descriptor.Digest.Hex);
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        descriptor.Digest.Matches(bytes).ShouldBeTrue($"blob {descriptor.Digest} does not hash to its name");
        Digest.Sha256Of(bytes).ShouldBe(descriptor.Digest);
        bytes.LongLength.ShouldBe(descriptor.Size);
        return bytes;
    }

    private static byte[] Edit(string fixture, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(RegistryFixtures.ContainersImage(fixture))!.AsObject();
        edit(root);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    // "a.b[1].c=json" sets a value; "a.b=" removes it. Keys after the first segment may contain dots
    // only for annotations, whose key is the rest of the path.
    private static void ApplyEdit(JsonObject root, string edit)
    {
        var equals = edit.IndexOf('=', StringComparison.Ordinal);
        var path = edit[..equals];
        var valueText = edit[(equals + 1)..];
        var value = valueText.Length == 0 ? null : JsonNode.Parse(valueText);

        var segments = path.StartsWith("annotations.", StringComparison.Ordinal)
            ? ["annotations", path["annotations.".Length..]]
            : path.Split('.');
        JsonNode node = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            node = Step(node, segments[i]);
        }

        var last = segments[^1];
        var bracket = last.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            var array = node[last[..bracket]]!.AsArray();
            array[int.Parse(last[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
        else if (value is null)
        {
            node.AsObject().Remove(last);
        }
        else
        {
            node[last] = value;
        }
    }

    private static JsonNode Step(JsonNode node, string segment)
    {
        var bracket = segment.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0
            ? node[segment]!
            : node[segment[..bracket]]![int.Parse(segment[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)]!;
    }
}
