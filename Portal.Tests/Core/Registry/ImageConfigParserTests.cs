using System.Text;
using Portal.Core.Registry;

namespace Portal.Tests.Core.Registry;

public sealed class ImageConfigParserTests
{
    [Fact]
    public void ParsesTheDockerSchema2ConfigFixture()
    {
        var config = ImageConfigParser.Parse(RegistryFixtures.ContainersImage("schema2-config.json"));

        // Go writes nanoseconds (.78976459); .NET keeps 100 ns ticks.
        config.Created.ShouldBe(new DateTimeOffset(2016, 9, 23, 23, 20, 45, TimeSpan.Zero).AddTicks(7897645));
        config.Labels.ShouldBeEmpty();
        config.Os.ShouldBe("linux");
        config.Architecture.ShouldBe("amd64");
        config.Variant.ShouldBeNull();
    }

    [Fact]
    public void ParsesTheRegclientConfigBlobWithItsLabels()
    {
        var config = ImageConfigParser.Parse(File.ReadAllBytes(
            RegistryFixtures.RegclientBlob("03d7b3c657a4af5b4ff7967bf843d04a93008f28d658a7df3f679b2c7e519639")));

        config.Created.ShouldBe(new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero));
        config.Labels.ShouldBe(new Dictionary<string, string> { ["arg_label"] = "arg_for_label", ["version"] = "1" });
        config.Os.ShouldBe("linux");
        config.Architecture.ShouldBe("amd64");
    }

    [Fact]
    public void ParsesTheImageSpecConfigExample()
    {
        var example = RegistryFixtures.SpecExamples("config.md", MediaTypes.OciConfig).Single();

        var config = ImageConfigParser.Parse(Encoding.UTF8.GetBytes(example));

        config.Created.ShouldBe(new DateTimeOffset(2015, 10, 31, 22, 22, 56, TimeSpan.Zero).AddTicks(159252));
        config.Labels.Count.ShouldBe(2);
        config.Labels["com.example.project.git.commit"].ShouldBe("45a939b2999782a3f005621a8d0f29aa387e1d6b");
    }

    [Theory]
    [InlineData("""{"config":{"Labels":null}}""")]
    [InlineData("""{"config":null}""")]
    [InlineData("""{"config":{}}""")]
    [InlineData("{}")]
    public void ReadsAbsentOrNullLabelsAsEmpty(string json)
    {
        var config = ImageConfigParser.Parse(Encoding.UTF8.GetBytes(json));

        config.Labels.ShouldBeEmpty();
        config.Created.ShouldBeNull();
        config.Os.ShouldBeNull();
    }

    [Fact]
    public void ReadsTheVariantAndConvertsOffsetsToUtc()
    {
        var config = ImageConfigParser.Parse(
            """{"created":"2024-03-01T12:00:00+02:00","os":"linux","architecture":"arm64","variant":"v8"}"""u8);

        config.Created.ShouldBe(new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero));
        config.Created!.Value.Offset.ShouldBe(TimeSpan.Zero);
        config.Variant.ShouldBe("v8");
    }

    [Theory]
    [InlineData("", "Image config is empty")]
    [InlineData("""{"os":"linux",""", "not valid JSON")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("""{"created":"yesterday"}""", "created must be an RFC 3339 date-time")]
    [InlineData("""{"created":"01/02/2020 10:00"}""", "created must be an RFC 3339 date-time")]
    [InlineData("""{"created":1700000000}""", "created must be a string")]
    [InlineData("""{"os":5}""", "os must be a string")]
    [InlineData("""{"config":[]}""", "config must be a JSON object")]
    [InlineData("""{"config":{"Labels":["a"]}}""", "config.Labels must be a JSON object")]
    [InlineData("""{"config":{"Labels":{"version":1}}}""", "config.Labels.version must be a string")]
    public void RejectsMalformedConfigsNamingTheField(string json, string expectedMessagePart)
    {
        var ex = Should.Throw<ManifestFormatException>(() => ImageConfigParser.Parse(Encoding.UTF8.GetBytes(json)));

        ex.Message.ShouldContain(expectedMessagePart);
    }
}
