using Microsoft.EntityFrameworkCore;

namespace DevIdentityProvider;

// Holds only OpenIddict's own tables (applications, authorizations, scopes, tokens).
public sealed class ProviderDbContext(DbContextOptions<ProviderDbContext> options) : DbContext(options);
