namespace Portal.Core.Lifecycle;

public enum ActionStatus
{
    /// <summary>An approver or admin approved it; the lifecycle job carries it out in the next maintenance window.</summary>
    Approved,

    /// <summary>An approver or admin refused it; it is not carried out while the plan names it by the same key.</summary>
    Rejected,

    /// <summary>Being carried out, or interrupted while it was: the next run checks what happened before acting.</summary>
    Running,

    Done,

    /// <summary>Not carried out because a re-check at execution time found it no longer applies (the outcome says why).</summary>
    Skipped,

    /// <summary>Carrying it out failed; it is tried again after <see cref="ActionRecord.NextAttemptAt"/>, or never once attempts run out.</summary>
    Failed,
}

/// <summary>
/// What became of one planned action, by its idempotency key: the decision on it (for RequireApproval), and its
/// execution (attempts, outcome). One row per key, so an act is decided once and carried out at most once.
/// </summary>
public sealed class ActionRecord
{
    public const int MaxAttempts = 5;
    public const int MaxTextLength = 2_000;

    private ActionRecord()
    {
        Key = string.Empty;
        Reason = string.Empty;
        Subject = string.Empty;
    }

    public long Id { get; private set; }
    public string Key { get; private set; }
    public ActionKind Kind { get; private set; }
    public ExecutionMode Mode { get; private set; }
    public string Reason { get; private set; }
    public int PolicyVersion { get; private set; }
    public long? ImageId { get; private set; }
    public long? WorkloadId { get; private set; }
    public long? TargetImageId { get; private set; }
    public string? Tag { get; private set; }

    /// <summary>What it is done to, as people read it ("alice/alice-notebook", "team/image@sha256:1a2b...").</summary>
    public string Subject { get; private set; }
    public ActionStatus Status { get; private set; }
    public string? DecidedBy { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public string? DecisionNote { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public DateTimeOffset? NextAttemptAt { get; private set; }

    /// <summary>Who set it going: the lifecycle job, or the admin who pressed execute-now.</summary>
    public string? ExecutedBy { get; private set; }

    /// <summary>What happened: what was done, why it was skipped, or the error.</summary>
    public string? Outcome { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public bool IsDecision => Status is ActionStatus.Approved or ActionStatus.Rejected;

    public static ActionRecord Decide(PlannedAction action, string subject, bool approve, string by, string? note, DateTimeOffset now)
    {
        var record = From(action, subject, approve ? ActionStatus.Approved : ActionStatus.Rejected, now);
        record.DecidedBy = by;
        record.DecidedAt = now;
        record.DecisionNote = Trim(note);
        return record;
    }

    /// <summary>An action carried out without approval (Automatic, or an admin's execute-now) starts its record running.</summary>
    public static ActionRecord Start(PlannedAction action, string subject, string by, DateTimeOffset now)
    {
        var record = From(action, subject, ActionStatus.Running, now);
        record.Begin(by, now);
        return record;
    }

    /// <summary>Changes a decision not yet acted on (an approval can be withdrawn, a refusal reconsidered).</summary>
    public IReadOnlyList<string> Redecide(bool approve, string by, string? note, DateTimeOffset now)
    {
        if (!IsDecision)
        {
            return [$"The action is already {Status.ToString().ToLowerInvariant()}; it can no longer be approved or rejected."];
        }

        Status = approve ? ActionStatus.Approved : ActionStatus.Rejected;
        DecidedBy = by;
        DecidedAt = now;
        DecisionNote = Trim(note);
        UpdatedAt = now;
        return [];
    }

    /// <summary>Whether a run may carry it out now: approved, skipped before, failed and due again, or interrupted.</summary>
    public bool IsRunnable(DateTimeOffset now) => Status switch
    {
        ActionStatus.Approved or ActionStatus.Skipped or ActionStatus.Running => true,
        ActionStatus.Failed => Attempts < MaxAttempts && (NextAttemptAt is null || NextAttemptAt <= now),
        _ => false,
    };

    /// <param name="by">The lifecycle job, or the admin who executes now.</param>
    /// <param name="now">When it starts.</param>
    /// <param name="policyVersion">The policy version of the plan that carries it out (approved under an older one, perhaps).</param>
    public void Begin(string by, DateTimeOffset now, int? policyVersion = null)
    {
        PolicyVersion = policyVersion ?? PolicyVersion;
        Status = ActionStatus.Running;
        Attempts++;
        StartedAt = now;
        FinishedAt = null;
        NextAttemptAt = null;
        ExecutedBy = by;
        UpdatedAt = now;
    }

    public void Complete(string outcome, DateTimeOffset now) => Finish(ActionStatus.Done, outcome, now);

    public void Skip(string why, DateTimeOffset now) => Finish(ActionStatus.Skipped, why, now);

    /// <summary>Records a failure; tries again after a backoff that doubles each attempt (5 minutes, 10, 20, ...), up to <see cref="MaxAttempts"/>.</summary>
    public void Fail(string error, DateTimeOffset now)
    {
        Finish(ActionStatus.Failed, error, now);
        NextAttemptAt = Attempts < MaxAttempts ? now.AddMinutes(5 * Math.Pow(2, Attempts - 1)) : null;
    }

    private void Finish(ActionStatus status, string outcome, DateTimeOffset now)
    {
        Status = status;
        Outcome = Trim(outcome);
        FinishedAt = now;
        UpdatedAt = now;
    }

    private static ActionRecord From(PlannedAction action, string subject, ActionStatus status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new ActionRecord
        {
            Key = action.Key,
            Kind = action.Kind,
            Mode = action.Mode,
            Reason = Trim(action.Reason)!,
            PolicyVersion = action.PolicyVersion,
            ImageId = action.ImageId,
            WorkloadId = action.WorkloadId,
            TargetImageId = action.TargetImageId,
            Tag = action.Tag,
            Subject = subject,
            Status = status,
            UpdatedAt = now,
        };
    }

    private static string? Trim(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Trim() is var t && t.Length > MaxTextLength ? t[..MaxTextLength] : text.Trim();
}

/// <summary>One action of an executed plan, as the next plan is compared with it.</summary>
public sealed record ExecutedPlanItem(string Key, ActionKind Kind, ExecutionMode Mode, string Reason);

/// <summary>
/// The plan as it stood when the lifecycle job (or an admin's execute-now) carried it out, with what came of it: the
/// Plan page shows how the plan now differs from it.
/// </summary>
public sealed class ExecutedPlan
{
    private ExecutedPlan()
    {
        ExecutedBy = string.Empty;
        Actions = [];
    }

    public long Id { get; private set; }
    public DateTimeOffset ExecutedAt { get; private set; }
    public string ExecutedBy { get; private set; }
    public int PolicyVersion { get; private set; }
    public List<ExecutedPlanItem> Actions { get; private set; }
    public int Done { get; private set; }
    public int Skipped { get; private set; }
    public int Failed { get; private set; }

    public static ExecutedPlan Record(Plan plan, string by, int done, int skipped, int failed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new ExecutedPlan
        {
            ExecutedAt = now,
            ExecutedBy = by,
            PolicyVersion = plan.PolicyVersion,
            Actions = [.. plan.Actions.Select(a => new ExecutedPlanItem(a.Key, a.Kind, a.Mode, a.Reason))],
            Done = done,
            Skipped = skipped,
            Failed = failed,
        };
    }
}
