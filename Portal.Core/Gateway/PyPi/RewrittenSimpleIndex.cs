namespace Portal.Core.Gateway.PyPi;

/// <summary>
/// A simple index page ready to serve from the gateway: its body, the content type to send it with, and how many
/// links it kept and dropped (links to hosts or paths the remote was not configured with), for the caller to log.
/// </summary>
public sealed record RewrittenSimpleIndex(string Body, string ContentType, int KeptLinks, int DroppedLinks);
