using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.ApiKeys;
using Portal.Core.Registry;
using Portal.Features.ApiKeys;
using Portal.Features.Inventory;

namespace Portal.Api;

/// <summary>
/// Where a registry reports its pushes and deletes (Distribution's <c>notifications.endpoints</c>, ACR and Harbor
/// webhooks), authenticated by an API key with the registry-events:write scope, sent as a header the registry is
/// configured with (<c>Authorization: Bearer KEY</c>).
/// </summary>
public static class RegistryEventEndpoints
{
    /// <summary>Distribution sends a few events per envelope (its endpoint's threshold); a megabyte is thousands.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapRegistryEventEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/registries/{id:int}/events", ReceiveAsync)
            // Authenticated by API key inside the handler: a registry cannot sign in.
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithTags("Registries")
            .WithSummary("Receives a registry's push and delete events (Distribution envelope, ACR or Harbor webhook); the next incremental sync reads those repositories.");
        return endpoints;
    }

    private static async Task<Results<Accepted<RegistryEventsReceived>, ProblemHttpResult>> ReceiveAsync(
        int id, HttpContext context, ApiKeyManagement keys, RegistryEventReceiver receiver, CancellationToken cancellationToken)
    {
        var (refused, _) = await ApiKeyRequirement.CheckAsync(context, keys, ApiKeyScopes.RegistryEventsWrite,
            $"Configure the registry to send an API key with the {ApiKeyScopes.RegistryEventsWrite} scope as 'Authorization: Bearer KEY'. Admins create keys in Settings.",
            cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Too many events",
                $"The body is {context.Request.ContentLength:N0} bytes; the limit is {MaxBodyBytes:N0} bytes. Lower the registry's notification threshold.");
        }

        byte[] body;
        using (var buffer = new MemoryStream())
        {
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return Problem(StatusCodes.Status413PayloadTooLarge, "Too many events",
                        $"The body is longer than the limit of {MaxBodyBytes:N0} bytes. Lower the registry's notification threshold.");
                }

                buffer.Write(chunk, 0, read);
            }

            body = buffer.ToArray();
        }

        RegistryEventBatch batch;
        try
        {
            batch = RegistryEventParser.Parse(body);
        }
        catch (RegistryEventFormatException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "The events cannot be read", ex.Message);
        }

        var received = await receiver.ReceiveAsync(id, batch, cancellationToken);
        return received is null
            ? Problem(StatusCodes.Status404NotFound, "No such registry", $"No registry has id {id}; the id is in the registry's events URL under Settings → Registries.")
            : TypedResults.Accepted((string?)null, received);
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
