namespace ImagingCommons.Dicom;

/// <summary>The bytes are not a readable DICOM object; the message says why, in words fit for an operator.</summary>
public sealed class DicomFormatException : Exception
{
    public DicomFormatException()
    {
    }

    public DicomFormatException(string message)
        : base(message)
    {
    }

    public DicomFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Byte offset in the (inflated) stream where the problem was found, when known.</summary>
    public long? Offset { get; init; }
}
