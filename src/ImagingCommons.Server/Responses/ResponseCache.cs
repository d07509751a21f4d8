using System.Collections.Concurrent;

namespace ImagingCommons.Server.Responses;

/// <summary>
/// Bodies that depend only on the release and the request's key (filters, fields, attributes, filter values):
/// rendered once, then written as bytes, because these metadata routes must sustain thousands of requests per second.
/// </summary>
internal sealed class ResponseCache
{
    private readonly ConcurrentDictionary<string, object> _bodies = new(StringComparer.Ordinal);

    public PrecomputedJson<T> GetOrAdd<T>(string key, Func<T> render) =>
        (PrecomputedJson<T>)_bodies.GetOrAdd(key, _ => new PrecomputedJson<T>(render()));

    /// <summary>As <see cref="GetOrAdd"/>, for bodies that need a query (rendered once; a concurrent first render is harmless).</summary>
    public async Task<PrecomputedJson<T>> GetOrAddAsync<T>(string key, Func<Task<T>> render)
    {
        if (!_bodies.TryGetValue(key, out var body))
        {
            body = _bodies.GetOrAdd(key, new PrecomputedJson<T>(await render()));
        }

        return (PrecomputedJson<T>)body;
    }
}
