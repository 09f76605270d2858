using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Dfs.Gateway.Http;

/// <summary>
/// Declares a binary request body on routes marked with <see cref="BinaryRequestBodyMetadata"/>, whose handlers read the
/// body as a stream (so nothing in their signature shows it): Swagger UI then offers a file to upload.
/// </summary>
internal sealed class BinaryRequestBodyFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<BinaryRequestBodyMetadata>().Any())
        {
            return;
        }
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "The file's bytes, streamed (Content-Length or chunked); Content-Type is kept with the version.",
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["application/octet-stream"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
            },
        };
    }
}
