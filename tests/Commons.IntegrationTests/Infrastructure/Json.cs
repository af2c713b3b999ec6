using System.Text.Json;

namespace Commons.IntegrationTests.Infrastructure;

/// <summary>The bridge's JSON: camelCase, as ASP.NET Core's web defaults write it.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
