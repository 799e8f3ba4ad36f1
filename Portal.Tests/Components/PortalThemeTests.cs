using MudBlazor;
using MudBlazor.Utilities;
using Portal.Components.Layout;

namespace Portal.Tests.Components;

/// <summary>Text on every filled colour (buttons, chips, alerts, snackbars) keeps WCAG AA contrast in both themes.</summary>
public sealed class PortalThemeTests
{
    public static TheoryData<string, string> FilledColours()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, palette) in new (string, Palette)[] { ("light", PortalTheme.Theme.PaletteLight), ("dark", PortalTheme.Theme.PaletteDark) })
        {
            foreach (var colour in new[] { "Primary", "Secondary", "Info", "Success", "Warning", "Error" })
            {
                data.Add(name, colour);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FilledColours))]
    public void TextOnAFilledColourHasAtLeastAaContrast(string theme, string colour)
    {
        Palette palette = theme == "light" ? PortalTheme.Theme.PaletteLight : PortalTheme.Theme.PaletteDark;
        var background = (MudColor)typeof(Palette).GetProperty(colour)!.GetValue(palette)!;
        var text = (MudColor)typeof(Palette).GetProperty(colour + "ContrastText")!.GetValue(palette)!;

        Contrast(background, text).ShouldBeGreaterThanOrEqualTo(4.5, $"{theme} {colour}: {text} on {background}");
    }

    // WCAG 2.x: (L1 + 0.05) / (L2 + 0.05) over relative luminance.
    private static double Contrast(MudColor a, MudColor b)
    {
        var (la, lb) = (Luminance(a), Luminance(b));
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    private static double Luminance(MudColor colour)
    {
        static double Channel(byte value)
        {
            var c = value / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        return (0.2126 * Channel(colour.R)) + (0.7152 * Channel(colour.G)) + (0.0722 * Channel(colour.B));
    }
}
