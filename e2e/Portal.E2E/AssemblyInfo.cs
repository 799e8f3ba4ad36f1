using Portal.E2E.Infrastructure;

// One identity provider, one portal and one browser for every test in the assembly.
[assembly: AssemblyFixture(typeof(StackFixture))]

// Tests share the portal and its database (the admin's theme preference, the retention job's single run), and the
// machine has two cores: run them one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// The lifecycle test changes what the others read (it stops a notebook): it runs last.
[assembly: TestCollectionOrderer(typeof(LifecycleLastOrderer))]
