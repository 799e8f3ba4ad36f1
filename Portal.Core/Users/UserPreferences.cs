namespace Portal.Core.Users;

/// <summary>What a person chose for their own view of the portal, kept across sessions and devices.</summary>
public sealed class UserPreferences
{
    public const int MaxUserIdLength = 256;

    private UserPreferences()
    {
        UserId = string.Empty;
    }

    /// <summary>The stable identity of the person (Entra object id, or the sign-in name when there is none).</summary>
    public string UserId { get; private set; }
    public bool DarkMode { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public static UserPreferences CreateFor(string userId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        if (userId.Length > MaxUserIdLength)
        {
            throw new ArgumentException($"A user id is at most {MaxUserIdLength} characters.", nameof(userId));
        }

        return new UserPreferences { UserId = userId, UpdatedAt = now };
    }

    public void UseDarkMode(bool darkMode, DateTimeOffset now)
    {
        DarkMode = darkMode;
        UpdatedAt = now;
    }
}
