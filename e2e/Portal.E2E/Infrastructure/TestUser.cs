namespace Portal.E2E.Infrastructure;

/// <summary>A user seeded in the development identity provider (e2e/DevIdentityProvider/appsettings.json).</summary>
public sealed record TestUser(string Key, string Email, string DisplayName, IReadOnlyList<string> Roles)
{
    public const string Password = "Passw0rd!";

    public static TestUser Admin { get; } = new("admin", "admin@example.org", "Ada Admin", ["Portal.Admin"]);

    public static TestUser Approver { get; } = new("approver", "approver@example.org", "Aaron Approver", ["Portal.Approver"]);

    public static TestUser Alice { get; } = new("alice", "alice@example.org", "Alice Analyst", []);

    public static TestUser Bob { get; } = new("bob", "bob@example.org", "Bob Builder", []);

    public static IReadOnlyList<TestUser> All { get; } = [Admin, Approver, Alice, Bob];

    /// <summary>Looks a user up by <see cref="Key"/>: theories pass keys, which serialize and read well in reports.</summary>
    public static TestUser Get(string key) =>
        All.SingleOrDefault(u => u.Key == key) ?? throw new ArgumentException($"No seeded user '{key}'.", nameof(key));

    public override string ToString() => Email;
}
