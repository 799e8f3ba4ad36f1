using Portal.Tests.TestInfrastructure;

// One PostgreSQL server for the whole run; tests take a fresh database each.
[assembly: AssemblyFixture(typeof(PostgresServer))]
