using Portal.Tests.TestInfrastructure;

// One PostgreSQL server for the whole run; tests take a fresh database each.
[assembly: AssemblyFixture(typeof(PostgresServer))]

// One clamd (TCP and Unix socket, EICAR test signature, StreamMaxLength 1M) for the whole run.
[assembly: AssemblyFixture(typeof(ClamdServer))]
