namespace Portal.Core.Registry;

/// <summary>A manifest or image config that is not well formed; the message names the offending field.</summary>
public sealed class ManifestFormatException(string message) : FormatException(message);
