using System.Diagnostics.CodeAnalysis;
using ImagingCommons.Server.Responses;

namespace ImagingCommons.Server.Requests;

/// <summary>A validated request part, or the error answer that refuses the request.</summary>
internal readonly record struct Checked<T>(T? Value, WireError? Error)
    where T : class
{
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Error is null && Value is not null;

    public static implicit operator Checked<T>(T value) => new(value, null);

    public static implicit operator Checked<T>(WireError error) => new(null, error);
}
