using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Portal.Data;

/// <summary>
/// Inserts many new rows of one entity type inside the context's current transaction (SQLite: a prepared INSERT per
/// row; PostgreSQL: one INSERT of arrays), and updates chosen columns of many rows with a prepared UPDATE.
/// EF Core's change tracker costs several times what the database does for tens of thousands of new rows (a first
/// workload sync), and EF has no bulk insert of its own. Column names, types and value converters come from the EF
/// model, so this stays in step with the mappings and works on SQLite and PostgreSQL alike. The entities are not
/// tracked afterwards.
/// </summary>
internal static class BulkInsert
{
    /// <summary>Inserts the entities one prepared INSERT ... RETURNING at a time and sets each one's generated key.</summary>
    public static async Task InsertReturningKeysAsync<T>(PortalDbContext db, IReadOnlyCollection<T> entities, CancellationToken cancellationToken)
        where T : class
    {
        if (entities.Count == 0)
        {
            return;
        }

        var table = Table.Of<T>(db);
        await using var command = await table.CreateCommandAsync(db, rows: 1, returningKey: true, cancellationToken);
        var setKey = table.Key.PropertyInfo ?? throw new InvalidOperationException($"{typeof(T).Name}.{table.Key.Name} has no property to set.");
        foreach (var entity in entities)
        {
            table.Bind(command, 0, entity);
            var id = await command.ExecuteScalarAsync(cancellationToken);
            setKey.SetValue(entity, Convert.ChangeType(id, table.Key.ClrType, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Inserts the entities: on SQLite with a prepared INSERT, one row at a time; on PostgreSQL in one INSERT of arrays.
    /// Their keys are not read back.
    /// </summary>
    public static async Task InsertAsync<T>(PortalDbContext db, IReadOnlyCollection<T> entities, CancellationToken cancellationToken)
        where T : class
    {
        if (entities.Count == 0)
        {
            return;
        }

        var table = Table.Of<T>(db);
        if (db.Database.IsNpgsql())
        {
            // On PostgreSQL every statement is a round trip, which costs more than a row: all rows go in one statement. In
            // the findings benchmark this stored a report's new findings in less time than plain INSERTs batched into one
            // round trip, where 200-row INSERTs took 1.4 times as long.
            await table.InsertUnnestAsync(db, entities, cancellationToken);
            return;
        }

        // One row per statement on SQLite on purpose: Microsoft.Data.Sqlite binds parameters by name, so a multi-row
        // statement with hundreds of parameters costs more per row than re-running a small prepared one (measured).
        await using var command = await table.CreateCommandAsync(db, rows: 1, returningKey: false, cancellationToken, prepare: entities.Count >= 2);
        foreach (var entity in entities)
        {
            table.Bind(command, 0, entity);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Writes <paramref name="properties"/> of each entity to its row, found by key, one prepared UPDATE at a time, for
    /// rows read without tracking. Only the named columns are written, so indexes over the others are left alone.
    /// </summary>
    public static async Task UpdateAsync<T>(PortalDbContext db, IReadOnlyCollection<T> entities, IReadOnlyList<string> properties,
        CancellationToken cancellationToken)
        where T : class
    {
        if (entities.Count == 0)
        {
            return;
        }

        var table = Table.Of<T>(db);
        var set = properties.Select(name => table.Columns.SingleOrDefault(c => c.Name == name)
            ?? throw new ArgumentException($"{typeof(T).Name}.{name} is not a mapped column.", nameof(properties))).ToList();
        await using var command = await table.CreateUpdateCommandAsync(db, set, cancellationToken);
        var parameters = set.Append(table.Key).ToList();
        foreach (var entity in entities)
        {
            Table.Bind(command, parameters, 0, entity);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private sealed record Table(string Name, IProperty Key, IReadOnlyList<IProperty> Columns, StoreObjectIdentifier Store)
    {
        // One per entity type and model (each provider's context has its own): a report's worth of rows is a call.
        private static readonly ConcurrentDictionary<(IModel Model, Type Type), Table> Tables = new();

        public static Table Of<T>(PortalDbContext db) => Tables.GetOrAdd((db.Model, typeof(T)), static key => Build(key.Model, key.Type));

        private static Table Build(IModel model, Type type)
        {
            var entityType = model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not mapped.");
            var store = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
            var key = entityType.FindPrimaryKey()!.Properties.Single();
            var columns = entityType.GetProperties()
                .Where(p => p != key && !p.IsShadowProperty() && p.GetColumnName(store) is not null)
                .ToList();
            return new Table(store.Name, key, columns, store);
        }

        /// <param name="prepare">Whether it runs often enough to prepare (a round trip of its own on PostgreSQL).</param>
        /// <remarks>
        /// Parameter names carry their '@': Microsoft.Data.Sqlite looks each one up by name for every execution, and a
        /// bare name is first looked up as it is and then with each of '@', '$' and ':' in front, four searches of the
        /// statement's parameters instead of one (a tenth of the CPU of storing a million findings).
        /// </remarks>
        public async Task<DbCommand> CreateCommandAsync(PortalDbContext db, int rows, bool returningKey, CancellationToken cancellationToken, bool prepare = true)
        {
            var sql = db.GetService<ISqlGenerationHelper>();
            var command = await NewCommandAsync(db, cancellationToken);
            var values = new List<string>(rows);
            for (var row = 0; row < rows; row++)
            {
                var names = new List<string>(Columns.Count);
                for (var column = 0; column < Columns.Count; column++)
                {
                    var name = $"@p{row}_{column}";
                    command.Parameters.Add(Columns[column].GetRelationalTypeMapping().CreateParameter(command, name, null, nullable: true));
                    names.Add(name);
                }

                values.Add($"({string.Join(", ", names)})");
            }

            command.CommandText =
                $"INSERT INTO {sql.DelimitIdentifier(Name, Store.Schema)} "
                + $"({string.Join(", ", Columns.Select(c => sql.DelimitIdentifier(c.GetColumnName(Store)!)))}) "
                + $"VALUES {string.Join(", ", values)}"
                + (returningKey ? $" RETURNING {sql.DelimitIdentifier(Key.GetColumnName(Store)!)}" : "");
            if (prepare)
            {
                await command.PrepareAsync(cancellationToken);
            }

            return command;
        }

        /// <summary>
        /// INSERT ... SELECT * FROM unnest(@p0, @p1, ...) with one array parameter per column: every row in one statement
        /// and one round trip, however many, with no parameter limit. Each value is converted as EF would, into an array
        /// of the provider type, sent as the type EF's mapping gives its parameters.
        /// </summary>
        public async Task InsertUnnestAsync<T>(PortalDbContext db, IReadOnlyCollection<T> entities, CancellationToken cancellationToken)
            where T : class
        {
            var sql = db.GetService<ISqlGenerationHelper>();
            await using var command = await NewCommandAsync(db, cancellationToken);
            for (var column = 0; column < Columns.Count; column++)
            {
                var mapping = Columns[column].GetRelationalTypeMapping();
                var providerType = mapping.Converter?.ProviderClrType ?? mapping.ClrType;
                var values = Array.CreateInstance(providerType.IsValueType ? typeof(Nullable<>).MakeGenericType(providerType) : providerType, entities.Count);
                var row = 0;
                foreach (var entity in entities)
                {
                    values.SetValue(ProviderValue(Columns[column], entity), row++);
                }

                var parameter = (NpgsqlParameter)mapping.CreateParameter(command, $"p{column}", null, nullable: true);
                parameter.NpgsqlDbType = NpgsqlDbType.Array | parameter.NpgsqlDbType;
                parameter.Value = values;
                command.Parameters.Add(parameter);
            }

            command.CommandText =
                $"INSERT INTO {sql.DelimitIdentifier(Name, Store.Schema)} "
                + $"({string.Join(", ", Columns.Select(c => sql.DelimitIdentifier(c.GetColumnName(Store)!)))}) "
                + $"SELECT * FROM unnest({string.Join(", ", Columns.Select((_, i) => $"@p{i}"))})";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        /// <summary>UPDATE ... SET each of <paramref name="set"/> WHERE key; parameters in that order, the key last.</summary>
        public async Task<DbCommand> CreateUpdateCommandAsync(PortalDbContext db, IReadOnlyList<IProperty> set, CancellationToken cancellationToken)
        {
            var sql = db.GetService<ISqlGenerationHelper>();
            var command = await NewCommandAsync(db, cancellationToken);
            var assignments = new List<string>(set.Count);
            foreach (var (property, index) in set.Append(Key).Select((p, i) => (p, i)))
            {
                command.Parameters.Add(property.GetRelationalTypeMapping().CreateParameter(command, $"@p{index}", null, nullable: true));
                assignments.Add($"{sql.DelimitIdentifier(property.GetColumnName(Store)!)} = @p{index}");
            }

            command.CommandText =
                $"UPDATE {sql.DelimitIdentifier(Name, Store.Schema)} SET {string.Join(", ", assignments.Take(set.Count))} WHERE {assignments[^1]}";
            await command.PrepareAsync(cancellationToken);
            return command;
        }

        public void Bind(DbCommand command, int row, object entity) => Bind(command, Columns, row * Columns.Count, entity);

        /// <summary>Sets parameters from <paramref name="offset"/> on to the entity's values of <paramref name="columns"/>, converted as EF would.</summary>
        public static void Bind(DbCommand command, IReadOnlyList<IProperty> columns, int offset, object entity)
        {
            for (var column = 0; column < columns.Count; column++)
            {
                command.Parameters[offset + column].Value = ProviderValue(columns[column], entity) ?? DBNull.Value;
            }
        }

        /// <summary>The entity's value of <paramref name="property"/> as the database stores it (through its value converter, if any).</summary>
        private static object? ProviderValue(IProperty property, object entity)
        {
            var value = property.GetGetter().GetClrValueUsingContainingEntity(entity);
            var converter = property.GetTypeMapping().Converter;
            return value is null ? null : converter is null ? value : converter.ConvertToProvider(value);
        }

        private static async Task<DbCommand> NewCommandAsync(PortalDbContext db, CancellationToken cancellationToken)
        {
            var connection = db.Database.GetDbConnection();
            if (connection.State != System.Data.ConnectionState.Open)
            {
                await db.Database.OpenConnectionAsync(cancellationToken);
            }

            var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            return command;
        }
    }
}
