using System.ComponentModel.DataAnnotations;

namespace Portal.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions : IValidatableObject
{
    public const string SectionName = "Database";

    /// <summary>Sqlite (a file in <see cref="DataDirectory"/>, the default) or Postgres (for several replicas).</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations when the portal starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>Where the SQLite file lives when no connection string is given; relative to the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Read from ConnectionStrings:Portal; empty means a SQLite file in the data directory.</summary>
    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                "Database:Provider is Postgres but ConnectionStrings:Portal is empty. Set it to an Npgsql connection string.",
                [nameof(ConnectionString)]);
        }
    }
}
