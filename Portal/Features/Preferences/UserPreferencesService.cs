using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Users;
using Portal.Features.Audit;
using Portal.Data;

namespace Portal.Features.Preferences;

/// <summary>Each person's own view settings (for now the dark theme), kept in the database so they follow them.</summary>
public sealed class UserPreferencesService(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, TimeProvider clock)
{
    public async Task<bool> GetDarkModeAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.UserPreferences.AsNoTracking()
            .Where(p => p.UserId == userId)
            .Select(p => p.DarkMode)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task SetDarkModeAsync(string userId, string signInName, bool darkMode, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var preferences = await db.UserPreferences.FindAsync([userId], cancellationToken);
        if (preferences is null)
        {
            preferences = UserPreferences.CreateFor(userId, clock.GetUtcNow());
            db.UserPreferences.Add(preferences);
        }

        var before = preferences.DarkMode;
        preferences.UseDarkMode(darkMode, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, signInName, AuditActions.PreferencesChanged, subject: "theme",
            before: Theme(before), after: Theme(darkMode), cancellationToken: cancellationToken);
    }

    private static string Theme(bool darkMode) => darkMode ? "dark" : "light";
}
