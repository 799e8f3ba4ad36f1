namespace Portal.Core.Gateway.PyPi;

/// <summary>
/// An upstream simple index response the gateway will not pass on: JSON that does not parse or is not shaped as
/// PEP 691 says, a content type that is not a simple index, or a body over the size limit. The message says which.
/// </summary>
public sealed class SimpleIndexFormatException(string message, Exception? innerException = null)
    : FormatException(message, innerException);
