using System.Text.Json.Nodes;

namespace KubernetesEmulator;

/// <summary>
/// A failed request, carrying the <c>Status</c> object the real API server would answer with
/// (<c>k8s.io/apimachinery/pkg/api/errors</c>): same reasons, messages and details, <c>code</c> equal to the HTTP status.
/// </summary>
internal sealed class KubernetesStatusException : Exception
{
    public KubernetesStatusException()
        : this(500, "InternalError", "Internal error occurred")
    {
    }

    public KubernetesStatusException(string message)
        : this(500, "InternalError", message)
    {
    }

    public KubernetesStatusException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = 500;
        Status = KubernetesStatus.Failure(500, "InternalError", message);
    }

    public KubernetesStatusException(int code, string reason, string message, JsonObject? details = null, JsonObject? listMetadata = null)
        : base(message)
    {
        Code = code;
        Status = KubernetesStatus.Failure(code, reason, message, details, listMetadata);
    }

    public int Code { get; }

    public JsonObject Status { get; }
}

internal static class KubernetesStatus
{
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null, JsonObject? listMetadata = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = listMetadata ?? new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
        };
        if (reason.Length > 0)
        {
            status["reason"] = reason;
        }

        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    public static JsonObject Details(ResourceType resource, string? name)
    {
        var details = new JsonObject();
        if (name is not null)
        {
            details["name"] = name;
        }

        if (!resource.IsCore)
        {
            details["group"] = resource.Group;
        }

        details["kind"] = resource.Plural;
        return details;
    }

    public static KubernetesStatusException NotFound(ResourceType resource, string name) =>
        new(404, "NotFound", $"{resource.GroupResource} \"{name}\" not found", Details(resource, name));

    public static KubernetesStatusException AlreadyExists(ResourceType resource, string name) =>
        new(409, "AlreadyExists", $"{resource.GroupResource} \"{name}\" already exists", Details(resource, name));

    public static KubernetesStatusException Conflict(ResourceType resource, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {resource.GroupResource} \"{name}\": the object has been modified; "
            + "please apply your changes to the latest version and try again",
            Details(resource, name));

    public static KubernetesStatusException BadRequest(string message) => new(400, "BadRequest", message);

    public static KubernetesStatusException Invalid(ResourceType resource, string name, string message, JsonArray? causes = null)
    {
        var details = Details(resource, name);
        details["kind"] = resource.Kind;
        if (causes is not null)
        {
            details["causes"] = causes;
        }

        return new(422, "Invalid", message, details);
    }

    public static KubernetesStatusException ResourceNotFound() =>
        new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static KubernetesStatusException MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", new JsonObject());

    public static KubernetesStatusException UnsupportedMediaType(ResourceType resource) =>
        new(415, "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: "
            + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
            + (resource.BuiltIn ? ", application/strategic-merge-patch+json" : ""));

    /// <summary>The reason the real server's <c>NewGenericServerResponse</c> gives a bare status code.</summary>
    public static string ReasonFor(int code) => code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        410 => "Expired",
        413 => "RequestEntityTooLarge",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "",
    };
}
