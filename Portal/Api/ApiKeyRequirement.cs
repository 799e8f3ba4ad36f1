using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Features.ApiKeys;

namespace Portal.Api;

/// <summary>The answer machine callers get for a missing, unknown or wrongly scoped API key (401 or 403, problem+json).</summary>
internal static class ApiKeyRequirement
{
    /// <param name="context">The request; its key comes from X-Api-Key or Authorization: Bearer.</param>
    /// <param name="keys">The key store.</param>
    /// <param name="scope">The scope the endpoint needs.</param>
    /// <param name="howToSend">What a caller without a key is told to do.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The problem to answer with, or null and the accepted key's name.</returns>
    public static async Task<(ProblemHttpResult? Problem, string? KeyName)> CheckAsync(
        HttpContext context, ApiKeyManagement keys, string scope, string howToSend, CancellationToken cancellationToken)
    {
        var (check, keyName) = await keys.CheckAsync(ScanReportEndpoints.PresentedKey(context.Request), scope, cancellationToken);
        switch (check)
        {
            case ApiKeyCheck.Missing:
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return (Problem(StatusCodes.Status401Unauthorized, "API key required", howToSend), null);
            case ApiKeyCheck.Invalid:
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                return (Problem(StatusCodes.Status401Unauthorized, "API key not accepted", "The key is unknown, revoked or expired."), null);
            case ApiKeyCheck.WrongScope:
                return (Problem(StatusCodes.Status403Forbidden, "API key lacks the scope", $"The key '{keyName}' does not have the {scope} scope."), null);
            default:
                return (null, keyName);
        }
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
