using MimeKit;

namespace Portal.E2E.Infrastructure;

/// <summary>The messages the stack's SMTP sink has stored in its Maildir, read as a mail client would.</summary>
internal static class Mailbox
{
    public static IReadOnlyList<MimeMessage> Messages(StackFixture stack) =>
        [.. Directory.GetFiles(Path.Combine(stack.MaildirPath, "new")).Order(StringComparer.Ordinal).Select(path => MimeMessage.Load(path))];

    public static IReadOnlyList<MimeMessage> To(StackFixture stack, string address) =>
        [.. Messages(stack).Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase)))];

    /// <summary>Waits (bounded) until a message to <paramref name="address"/> that <paramref name="matches"/> has arrived.</summary>
    public static async Task<MimeMessage> WaitForAsync(
        StackFixture stack, string address, Func<MimeMessage, bool> matches, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (To(stack, address).FirstOrDefault(matches) is { } message)
            {
                return message;
            }

            if (waited.Elapsed > timeout)
            {
                var seen = string.Join("; ", Messages(stack).Select(m => $"{m.To} \"{m.Subject}\""));
                throw new TimeoutException($"No matching message to {address} arrived within {timeout}. The sink holds: {(seen.Length == 0 ? "nothing" : seen)}");
            }

            await Task.Delay(250, cancellationToken);
        }
    }
}
