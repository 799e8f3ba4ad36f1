namespace Portal.Tests.Core.Registry;

/// <summary>Paths to the real registry and Xray files copied under Portal.Tests/Fixtures (see shared PROVENANCE).</summary>
internal static class RegistryFixtures
{
    public static string OciRegistry(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", "oci-registry", .. parts]);

    public static string JfrogXray(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", "jfrog-xray", .. parts]);

    public static byte[] ContainersImage(string name) => File.ReadAllBytes(OciRegistry("containers-image", name));

    public static string RegclientLayout => OciRegistry("regclient-testrepo");

    public static string RegclientBlob(string hex) => Path.Combine(RegclientLayout, "blobs", "sha256", hex);

    /// <summary>The ```json examples of an image-spec document whose fence names the given media type.</summary>
    public static IReadOnlyList<string> SpecExamples(string document, string mediaType)
    {
        var encodedType = mediaType.Replace("+", "%2B", StringComparison.Ordinal);
        var examples = new List<string>();
        var lines = File.ReadAllLines(OciRegistry("image-spec", document));
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = lines[i].Trim();
            if (!fence.StartsWith("```json", StringComparison.Ordinal)
                || !fence.EndsWith("mediatype=" + encodedType, StringComparison.Ordinal))
            {
                continue;
            }

            var body = new List<string>();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                body.Add(lines[i]);
            }

            examples.Add(string.Join('\n', body));
        }

        return examples;
    }
}
