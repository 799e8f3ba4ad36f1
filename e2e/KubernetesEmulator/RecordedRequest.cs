namespace KubernetesEmulator;

/// <summary>One request the emulator answered.</summary>
/// <param name="Method">HTTP method, upper case.</param>
/// <param name="Path">Request path, e.g. <c>/api/v1/namespaces/ns/pods/x</c>.</param>
/// <param name="Query">Raw query string without the leading <c>?</c>; empty when there is none.</param>
/// <param name="ContentType">The request's Content-Type header (with parameters), or null.</param>
/// <param name="Body">The request body as text, or null when there was none.</param>
/// <param name="StatusCode">The HTTP status the emulator answered with.</param>
public sealed record RecordedRequest(string Method, string Path, string Query, string? ContentType, string? Body, int StatusCode)
{
    public bool IsMutation => Method is "POST" or "PUT" or "PATCH" or "DELETE";

    /// <summary>The media type of <see cref="ContentType"/> without parameters such as <c>charset</c>.</summary>
    public string? MediaType => ContentType?.Split(';')[0].Trim();

    public override string ToString() => $"{Method} {Path}{(Query.Length > 0 ? "?" + Query : "")} -> {StatusCode}";
}
