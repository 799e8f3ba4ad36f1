using System.Net;
using System.Text.Json.Nodes;
using KubernetesEmulator;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Auditing;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Core.Registry;
using Portal.Data;
using Portal.Features.Inventory;
using Portal.Features.Lifecycle;
using Portal.Integrations.Registry;
using Portal.Tests.TestInfrastructure;
using Portal.Tests.TestInfrastructure.Registry;

namespace Portal.Tests.Integration.Lifecycle;

/// <summary>
/// Carrying the plan out against the real docker-registry (deletes enabled) and the Kubernetes API emulator, through the
/// portal's real services: approved and automatic acts are done, each re-checked first; what changed since the plan
/// survives; an interrupted run is resumed without doing anything twice.
/// </summary>
public sealed class LifecycleExecutionTests : IAsyncLifetime
{
    private const string Admin = "admin@example.org";
    private const string Approver = "approver@example.org";
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private readonly TempDirectory _directory = new("lifecycle-execution");
    private DockerRegistryServer _registry = null!;
    private KubernetesApiEmulator _cluster = null!;
    private PortalAppFactory _portal = null!;
    private RegistryImagePusher _pusher = null!;
    private Estate _estate = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _registry = await DockerRegistryServer.StartAsync(cancellationToken: Ct);
        _pusher = _registry.CreatePusher();
        _cluster = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        _portal = PortalAppFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Kubernetes:Clusters:0:Name"] = "test",
            ["Kubernetes:Clusters:0:KubeConfigPath"] = _cluster.WriteKubeconfig(_directory.File("kubeconfig")),
        });
        _estate = await SeedAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _pusher.Dispose();
        await _portal.DisposeAsync();
        await _cluster.DisposeAsync();
        await _registry.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task StopsTheExpiredNotebookDeletesTheApprovedImageAndKeepsTheOneThatGainedAWorkload()
    {
        var plan = await PlanAsync();
        plan.Actions.Select(a => (a.Kind, a.Mode)).Order().ShouldBe([
            (ActionKind.NotifyOwner, ExecutionMode.Automatic),
            (ActionKind.StopWorkload, ExecutionMode.Automatic),
            (ActionKind.DeleteImage, ExecutionMode.RequireApproval),
            (ActionKind.DeleteImage, ExecutionMode.RequireApproval),
        ]);
        var actions = _portal.Services.GetRequiredService<LifecycleActions>();
        foreach (var delete in plan.Actions.Where(a => a.Kind == ActionKind.DeleteImage))
        {
            (await actions.DecideAsync(delete.Key, approve: true, "old and unused", Approver, Ct)).Errors.ShouldBeEmpty();
        }

        // After the approvals, someone starts a pod on the survivor: the run must see it and keep the image.
        _cluster.Load(Pod("team", "reader", $"{_registry.HostPort}/team/survivor@{_estate.Survivor}"));

        var summary = await ExecuteAsync();

        summary.Message.ShouldStartWith("Policy version 1: 2 carried out, 1 skipped, 0 failed");
        Annotations("notebook")!["kubeflow-resource-stopped"].ShouldNotBeNull("the notebook is stopped the way Kubeflow's UI does it");
        _cluster.Find("kubeflow.org/v1", "Notebook", "alice", "notebook").ShouldNotBeNull("stopping never deletes a notebook");
        (await ManifestStatusAsync("team/tool", _estate.Tool)).ShouldBe(HttpStatusCode.NotFound);
        (await ManifestStatusAsync("team/tool", "t2")).ShouldBe(HttpStatusCode.OK, "the newest tag is kept");
        (await ManifestStatusAsync("team/survivor", _estate.Survivor)).ShouldBe(HttpStatusCode.OK);

        await using var db = await ContextAsync();
        var records = await db.LifecycleActions.ToListAsync(Ct);
        records.Single(r => r.Kind == ActionKind.StopWorkload).ShouldSatisfyAllConditions(
            r => r.Status.ShouldBe(ActionStatus.Done),
            r => r.Outcome.ShouldStartWith("Stopped notebook alice/notebook in test"),
            r => r.PolicyVersion.ShouldBe(1));
        records.Single(r => r.Subject.StartsWith("team/tool", StringComparison.Ordinal)).Status.ShouldBe(ActionStatus.Done);
        records.Single(r => r.Subject.StartsWith("team/survivor", StringComparison.Ordinal)).ShouldSatisfyAllConditions(
            r => r.Status.ShouldBe(ActionStatus.Skipped),
            r => r.Outcome.ShouldBe("No longer in the plan (kept: used by 1 workload)."));
        var audit = await db.AuditEntries.Where(e => e.Action.StartsWith("action.")).OrderBy(e => e.Id).ToListAsync(Ct);
        audit.Select(e => e.Action).ShouldBe([AuditActions.ActionApproved, AuditActions.ActionApproved, AuditActions.ActionSkipped,
            AuditActions.ActionExecuted, AuditActions.ActionExecuted]);
        audit.Where(e => e.Action == AuditActions.ActionExecuted).ShouldAllBe(e => e.Actor == Admin && e.After!.Contains("\"PolicyVersion\":1"));
        var executed = await db.ExecutedPlans.SingleAsync(Ct);
        (executed.Done, executed.Skipped, executed.Failed).ShouldBe((2, 1, 0));

        // Run again: everything done stays done, nothing is carried out twice.
        var stoppedAt = Annotations("notebook")!["kubeflow-resource-stopped"]!.GetValue<string>();
        _cluster.ClearRequests();
        var again = await ExecuteAsync();
        again.Done.ShouldBe(0);
        _cluster.Mutations.ShouldBeEmpty();
        Annotations("notebook")!["kubeflow-resource-stopped"]!.GetValue<string>().ShouldBe(stoppedAt);
    }

    [Fact]
    public async Task AnApprovedNotificationIsLeftForTheNotificationJobToSend()
    {
        await SavePolicyAsync(p => p with
        {
            Modes = new Dictionary<ActionKind, ExecutionMode>(p.Modes) { [ActionKind.NotifyOwner] = ExecutionMode.RequireApproval },
        }, version: 1);
        var remind = (await PlanAsync()).Actions.Single(a => a.Kind == ActionKind.NotifyOwner);
        (await _portal.Services.GetRequiredService<LifecycleActions>().DecideAsync(remind.Key, approve: true, null, Approver, Ct)).Errors.ShouldBeEmpty();

        await ExecuteAsync();

        await using var db = await ContextAsync();
        (await db.LifecycleActions.SingleAsync(a => a.Key == remind.Key, Ct)).ShouldSatisfyAllConditions(
            r => r.Status.ShouldBe(ActionStatus.Approved, "the lifecycle job neither sends nor skips notifications"),
            r => r.Attempts.ShouldBe(0));
    }

    [Fact]
    public async Task OutsideTheMaintenanceWindowNothingIsReadOrDone()
    {
        using var scope = _portal.Services.CreateScope();
        var execution = scope.ServiceProvider.GetRequiredService<LifecycleExecution>();
        _cluster.ClearRequests();

        // The window opens at 02:00 UTC on the 1st of January only, for one hour: almost never now.
        await SavePolicyAsync(p => p with { MaintenanceWindowCron = "0 0 2 1 1 ?", MaintenanceWindowHours = 1 }, version: 1);
        var summary = await execution.RunAsync(new Executor(AuditActorKind.Job, "lifecycle"), ignoreWindow: false, null, Ct);

        summary.Ran.ShouldBeFalse();
        summary.Message.ShouldStartWith("Outside the maintenance window: nothing carried out. The next window opens ");
        _cluster.Requests.ShouldBeEmpty();
        Annotations("notebook")!.ContainsKey("kubeflow-resource-stopped").ShouldBeFalse();
    }

    [Fact]
    public async Task ARunInterruptedAfterItsActsIsResumedWithoutDoingThemTwice()
    {
        var plan = await PlanAsync();
        var actions = _portal.Services.GetRequiredService<LifecycleActions>();
        var toolDelete = plan.Actions.Single(a => a.Kind == ActionKind.DeleteImage && a.Reason.StartsWith("team/tool", StringComparison.Ordinal));
        (await actions.DecideAsync(toolDelete.Key, approve: true, null, Approver, Ct)).Errors.ShouldBeEmpty();
        var deletes = new DeleteCounter();

        // The process dies right after the registry deleted the manifest, before the portal wrote down that it did.
        await using (var dying = _portal.WithWebHostBuilder(b => b.ConfigureTestServices(s => Decorate(s, deletes, dieAfterDelete: true))))
        {
            using var scope = dying.Services.CreateScope();
            await Should.ThrowAsync<OperationCanceledException>(() => scope.ServiceProvider.GetRequiredService<LifecycleExecution>()
                .RunAsync(new Executor(AuditActorKind.Person, Admin), ignoreWindow: true, null, Ct));
        }

        await using (var db = await ContextAsync())
        {
            (await db.LifecycleActions.SingleAsync(a => a.Key == toolDelete.Key, Ct)).Status.ShouldBe(ActionStatus.Running, "the act was begun and not finished");
        }

        await using var restarted = _portal.WithWebHostBuilder(b => b.ConfigureTestServices(s => Decorate(s, deletes, dieAfterDelete: false)));
        using (var scope = restarted.Services.CreateScope())
        {
            var summary = await scope.ServiceProvider.GetRequiredService<LifecycleExecution>()
                .RunAsync(new Executor(AuditActorKind.Person, Admin), ignoreWindow: true, null, Ct);
            summary.Failed.ShouldBe(0);
        }

        deletes.Count.ShouldBe(1, "the resumed run saw the manifest gone and did not delete again");
        await using var after = await ContextAsync();
        var record = await after.LifecycleActions.SingleAsync(a => a.Key == toolDelete.Key, Ct);
        record.Status.ShouldBe(ActionStatus.Done);
        record.Attempts.ShouldBe(2);
        record.Outcome.ShouldBe($"team/tool@{_estate.Tool} is already gone from the registry.");
    }

    [Fact]
    public async Task AFailedActionIsRecordedWithItsErrorAndTriedAgainAfterABackoffAndTheOthersAreStillCarriedOut()
    {
        var plan = await PlanAsync();
        var toolDelete = plan.Actions.Single(a => a.Kind == ActionKind.DeleteImage && a.Reason.StartsWith("team/tool", StringComparison.Ordinal));
        (await _portal.Services.GetRequiredService<LifecycleActions>().DecideAsync(toolDelete.Key, approve: true, null, Approver, Ct)).Errors.ShouldBeEmpty();
        var deletes = new DeleteCounter();

        await using var failing = _portal.WithWebHostBuilder(b => b.ConfigureTestServices(s => Decorate(s, deletes, dieAfterDelete: false, refuseDeletes: true)));
        ExecutionSummary summary;
        using (var scope = failing.Services.CreateScope())
        {
            summary = await scope.ServiceProvider.GetRequiredService<LifecycleExecution>()
                .RunAsync(new Executor(AuditActorKind.Job, "lifecycle"), ignoreWindow: true, null, Ct);
        }

        summary.Done.ShouldBe(1, "the stop is carried out all the same");
        summary.Failures.ShouldHaveSingleItem().ShouldStartWith("DeleteImage team/tool@");
        summary.Failures[0].ShouldEndWith("The registry refuses to delete manifests of team/tool (for Distribution, set REGISTRY_STORAGE_DELETE_ENABLED).");
        (await ManifestStatusAsync("team/tool", _estate.Tool)).ShouldBe(HttpStatusCode.OK);
        await using var db = await ContextAsync();
        var record = await db.LifecycleActions.SingleAsync(a => a.Key == toolDelete.Key, Ct);
        (record.Status, record.Attempts).ShouldBe((ActionStatus.Failed, 1));
        (record.NextAttemptAt - record.FinishedAt).ShouldBe(TimeSpan.FromMinutes(5));
        (await db.AuditEntries.CountAsync(e => e.Action == AuditActions.ActionFailed, Ct)).ShouldBe(1);

        // Before the backoff has passed, the next run leaves it alone.
        using (var scope = failing.Services.CreateScope())
        {
            var again = await scope.ServiceProvider.GetRequiredService<LifecycleExecution>()
                .RunAsync(new Executor(AuditActorKind.Job, "lifecycle"), ignoreWindow: true, null, Ct);
            again.Failed.ShouldBe(0);
        }

        deletes.Count.ShouldBe(1, "one attempt, refused; none again before the backoff has passed");
    }

    [Fact]
    public async Task WhoeverSetTheEolByHandCannotApproveWhatItLeadsToAndOnlyRequireApprovalActionsAreDecided()
    {
        await using (var db = await ContextAsync())
        {
            // Earlier than the finding's date (6 days ago), so it is the one that counts: set for a date that has passed.
            db.ManualEols.Add(ManualEol.Set(_estate.NotebookImageId, Now.AddDays(-7), "retired", Admin, Now.AddDays(-10)));
            await db.SaveChangesAsync(Ct);
        }

        await SavePolicyAsync(p => p with { Modes = new Dictionary<ActionKind, ExecutionMode>(p.Modes) { [ActionKind.StopWorkload] = ExecutionMode.RequireApproval } },
            version: 1);

        var stop = (await PlanAsync()).Actions.Single(a => a.Kind == ActionKind.StopWorkload);
        stop.ManualEolBy.ShouldBe(Admin);
        var actions = _portal.Services.GetRequiredService<LifecycleActions>();

        var own = await actions.DecideAsync(stop.Key, approve: true, null, Admin, Ct);
        var dryRun = await actions.DecideAsync((await PlanAsync()).Actions.First(a => a.Kind == ActionKind.NotifyOwner).Key, approve: true, null, Approver, Ct);
        var other = await actions.DecideAsync(stop.Key, approve: true, null, Approver, Ct);
        var unknown = await actions.DecideAsync("stop:0:0:2020-01-01", approve: true, null, Approver, Ct);

        own.Errors.ShouldBe(["You set this image's EOL date by hand; another approver or admin approves what it leads to (two-person rule)."]);
        dryRun.Errors.ShouldBe(["NotifyOwner actions are carried out without approval under policy version 2."]);
        other.Succeeded.ShouldBeTrue();
        unknown.Missing.ShouldBeTrue();
    }

    private sealed record Estate(string NotebookImage, long NotebookImageId, string Tool, string Survivor);

    private async Task<Estate> SeedAsync()
    {
        var host = _registry.HostPort;
        var notebookImage = await _pusher.PushImageAsync("aaw/notebook", "v1", new ImageSpec { Created = Now.AddDays(-200) }, Ct);
        await _pusher.PushImageAsync("aaw/notebook", "v2", new ImageSpec { Created = Now.AddDays(-5) }, Ct);
        var tool = await _pusher.PushImageAsync("team/tool", "t1", new ImageSpec { Created = Now.AddDays(-100) }, Ct);
        await _pusher.PushImageAsync("team/tool", "t2", new ImageSpec { Created = Now.AddDays(-1) }, Ct);
        var survivor = await _pusher.PushImageAsync("team/survivor", "s1", new ImageSpec { Created = Now.AddDays(-100) }, Ct);
        await _pusher.PushImageAsync("team/survivor", "s2", new ImageSpec { Created = Now.AddDays(-1) }, Ct);

        var registry = await _portal.Services.GetRequiredService<RegistryManagement>().AddAsync(
            new RegistryInput("local", _registry.BaseUrl, null, null, null, AllowInsecure: true, MaxConcurrency: 4), Admin, Ct);
        using (var scope = _portal.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<InventorySync>().SyncAsync(registry.Id!.Value, SyncMode.Full, new RecordingProgress(), Ct);
        }

        _cluster.Load($$"""
            apiVersion: kubeflow.org/v1
            kind: Profile
            metadata:
              name: alice
            spec:
              owner: {kind: User, name: alice@example.org}
            ---
            apiVersion: kubeflow.org/v1
            kind: Notebook
            metadata:
              name: notebook
              namespace: alice
            spec:
              template:
                spec:
                  containers:
                  - name: notebook
                    image: {{host}}/aaw/notebook:v1
            """);
        _cluster.Load(Pod("alice", "notebook-0", $"{host}/aaw/notebook:v1", notebook: "notebook"));

        await using var db = await ContextAsync();
        var notebookImageId = await db.Images.Where(i => i.Digest == notebookImage).Select(i => i.Id).SingleAsync(Ct);
        db.Findings.Add(Finding.Discover(notebookImage,
            new ReportedFinding(FindingKind.Vulnerability, "CVE-2026-0001", "openssl", "3.0.1", "3.0.2", Severity.Critical, 9.8, null, "fixed", "a flaw", "debian", null),
            "Trivy", Now.AddDays(-20)));
        await db.SaveChangesAsync(Ct);
        await SavePolicyAsync(p => p with
        {
            Classes = [new ClassPolicy(ImageClass.Unclassified, new Dictionary<Severity, int> { [Severity.Critical] = 14 }, StopsWorkloads: true, KeepNewestTags: 1,
                DeleteUnusedAfterDays: 30)],
            Modes = new Dictionary<ActionKind, ExecutionMode>(LifecyclePolicy.DefaultModes)
            {
                [ActionKind.StopWorkload] = ExecutionMode.Automatic,
                [ActionKind.DeleteImage] = ExecutionMode.RequireApproval,
            },
        }, version: 0);
        return new Estate(notebookImage, notebookImageId, tool, survivor);
    }

    private static string Pod(string ns, string name, string image, string? notebook = null) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
          namespace: {{ns}}
        {{(notebook is null ? "" : $"  labels: {{notebook-name: {notebook}, statefulset: {notebook}}}\n  ownerReferences: [{{apiVersion: apps/v1, kind: StatefulSet, name: {notebook}, uid: 6b1e3c1a-1111-4a4a-9b9b-000000000001, controller: true}}]")}}
        spec:
          containers:
          - name: main
            image: {{image}}
        status:
          phase: Running
        """;

    private async Task SavePolicyAsync(Func<LifecyclePolicy, LifecyclePolicy> change, int version)
    {
        var policies = _portal.Services.GetRequiredService<LifecyclePolicies>();
        var saved = await policies.SaveAsync(change(await policies.CurrentAsync(Ct)) with { Version = version }, Admin, Ct);
        saved.Errors.ShouldBeEmpty();
    }

    private async Task<Plan> PlanAsync()
    {
        // The plan as the run will see it: workloads read first.
        using var scope = _portal.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<Portal.Features.Workloads.WorkloadSync>().SyncAsync("test", (_, _) => Task.CompletedTask, Ct);
        return (await _portal.Services.GetRequiredService<LifecyclePlanner>().PlanAsync(Ct)).Plan;
    }

    private async Task<ExecutionSummary> ExecuteAsync()
    {
        using var scope = _portal.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<LifecycleExecution>()
            .RunAsync(new Executor(AuditActorKind.Person, Admin), ignoreWindow: true, null, Ct);
    }

    private JsonObject? Annotations(string notebook) =>
        _cluster.Find("kubeflow.org/v1", "Notebook", "alice", notebook)?["metadata"]?["annotations"] as JsonObject ?? new JsonObject();

    private async Task<HttpStatusCode> ManifestStatusAsync(string repository, string reference)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"{_registry.BaseUrl}/v2/{repository}/manifests/{reference}");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        using var response = await http.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private Task<PortalDbContext> ContextAsync() =>
        _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);

    private static void Decorate(IServiceCollection services, DeleteCounter deletes, bool dieAfterDelete, bool refuseDeletes = false)
    {
        services.RemoveAll<IRegistryClientFactory>();
        services.AddSingleton<RegistryClientFactory>();
        services.AddSingleton<IRegistryClientFactory>(sp =>
            new CountingClients(sp.GetRequiredService<RegistryClientFactory>(), deletes, dieAfterDelete, refuseDeletes));
    }

    private sealed class DeleteCounter
    {
        public int Count;
    }

    /// <summary>Counts registry DELETEs (those that delete, or those refused); can die right after one, or answer as a registry with deletes switched off.</summary>
    private sealed class CountingClients(IRegistryClientFactory inner, DeleteCounter deletes, bool dieAfterDelete, bool refuseDeletes) : IRegistryClientFactory
    {
        public IRegistryClient Create(RegistryEndpoint endpoint) => new Client(inner.Create(endpoint), deletes, dieAfterDelete, refuseDeletes);

        private sealed class Client(IRegistryClient inner, DeleteCounter deletes, bool dieAfterDelete, bool refuseDeletes) : IRegistryClient
        {
            public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);
            public Task<IReadOnlyList<string>> ListRepositoriesAsync(CancellationToken cancellationToken) => inner.ListRepositoriesAsync(cancellationToken);
            public Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken) => inner.ListTagsAsync(repository, cancellationToken);
            public Task<Digest?> HeadManifestAsync(string repository, string reference, CancellationToken cancellationToken) =>
                inner.HeadManifestAsync(repository, reference, cancellationToken);
            public Task<FetchedManifest> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken) =>
                inner.GetManifestAsync(repository, reference, cancellationToken);
            public Task<ImageConfig> GetConfigAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
                inner.GetConfigAsync(repository, digest, cancellationToken);
            public Task<Stream> OpenBlobAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
                inner.OpenBlobAsync(repository, digest, cancellationToken);

            public async Task<ManifestDeletion> DeleteManifestAsync(string repository, string reference, CancellationToken cancellationToken)
            {
                if (refuseDeletes)
                {
                    Interlocked.Increment(ref deletes.Count);
                    return ManifestDeletion.Unsupported;
                }

                var deleted = await inner.DeleteManifestAsync(repository, reference, cancellationToken);
                Interlocked.Increment(ref deletes.Count);
                return dieAfterDelete ? throw new OperationCanceledException("The process died.") : deleted;
            }
        }
    }
}
