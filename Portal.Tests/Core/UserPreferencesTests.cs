using Portal.Core.Users;

namespace Portal.Tests.Core;

public sealed class UserPreferencesTests
{
    [Fact]
    public void StartsInLightModeAndRemembersTheChoice()
    {
        var now = new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
        var preferences = UserPreferences.CreateFor("oid-1", now);

        preferences.DarkMode.ShouldBeFalse();
        preferences.UseDarkMode(true, now.AddMinutes(1));

        preferences.DarkMode.ShouldBeTrue();
        preferences.UpdatedAt.ShouldBe(now.AddMinutes(1));
    }

    [Fact]
    public void RefusesAnOverlongUserId() =>
        Should.Throw<ArgumentException>(() => UserPreferences.CreateFor(new string('x', UserPreferences.MaxUserIdLength + 1), DateTimeOffset.UnixEpoch));
}
