using Microsoft.Extensions.Options;
using Portal.Core.Inventory;

namespace Portal.Integrations.Registry;

internal sealed class RegistryClientFactory(IHttpClientFactory httpClients, IOptions<RegistryOptions> options) : IRegistryClientFactory
{
    public const string HttpClientName = "registry";
    public const string InsecureHttpClientName = "registry-insecure";

    public IRegistryClient Create(RegistryEndpoint endpoint)
    {
        var insecure = endpoint.AllowInsecure && endpoint.Url.IsLoopback;
        if (endpoint.Url.Scheme != Uri.UriSchemeHttps && !insecure)
        {
            throw new RegistryException($"{endpoint.Url} is not https; plain http is allowed only for a registry on this machine with the insecure option.");
        }

        var http = httpClients.CreateClient(insecure ? InsecureHttpClientName : HttpClientName);
        return new RegistryClient(http, endpoint, options.Value.PageSize);
    }
}
