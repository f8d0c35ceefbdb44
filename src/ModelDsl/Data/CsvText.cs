using System;
using System.Buffers;
using System.IO;
using System.Text.Unicode;

namespace ModelDsl.Data;

/// <summary>
/// The text of a CSV file as Sep reads it: UTF-8 decoded here so that nothing is lost silently, and quotes
/// made to mean what they mean to Python's csv module and to the loggers that write such files.
/// <list type="bullet">
/// <item>An invalid UTF-8 byte becomes a lone surrogate, U+DC80 + the byte (as Python's "surrogateescape"):
/// valid UTF-8 never decodes to one, so <see cref="CsvRow"/> can tell the cell that held it.</item>
/// <item>A quote opens a quoted field only at the start of a field; elsewhere (<c>12" pizza</c>) it is
/// literal. Sep pairs every quote it meets, so such a stray quote would swallow the rows up to the next
/// one: it is passed on doubled, and <see cref="CsvRow"/> makes the pair one quote again.</item>
/// </list>
/// </summary>
internal sealed class CsvText : TextReader
{
    private const int BufferSize = 1 << 16;

    private readonly Stream _stream;
    private readonly char _separator;
    private readonly bool _trim;
    private readonly byte[] _bytes = new byte[BufferSize];
    private readonly char[] _chars = new char[BufferSize];
    private int _byteStart;
    private int _byteEnd;
    private bool _streamEnded;
    private int _charStart;
    private int _charEnd;

    // The quoting state of the text handed out so far.
    private bool _quoted;
    private bool _afterQuoteInQuotes;
    private bool _secondHalfOwed;
    private char _previous = '\n';

    private CsvText(Stream stream, char separator, bool trim)
    {
        _stream = stream;
        _separator = separator;
        _trim = trim;
    }

    /// <summary>Whether an invalid UTF-8 byte has been decoded so far.</summary>
    public bool HadInvalidBytes { get; private set; }

    /// <summary>Whether a quote has been decoded so far: until then no cell needs unquoting.</summary>
    public bool HadQuotes { get; private set; }

    /// <summary>Whether the whole file has been read and it ended inside a quoted field (a quote never closed).</summary>
    public bool EndedInsideQuotes { get; private set; }

    /// <summary>
    /// Reads <paramref name="stream"/>, the file <paramref name="path"/>, whose fields <paramref name="separator"/> separates;
    /// with <paramref name="trim"/>, spaces before a quote do not keep it from opening a field (<c>a, "b, c"</c>).
    /// </summary>
    public static CsvText Open(string path, Stream stream, char separator, bool trim)
    {
        var text = new CsvText(stream, separator, trim);
        try
        {
            text.CheckEncoding(path);
            return text;
        }
        catch
        {
            text.Dispose();
            throw;
        }
    }

    /// <summary>The index of the first invalid-byte marker in <paramref name="text"/>, or -1.</summary>
    public static int IndexOfInvalidByte(ReadOnlySpan<char> text)
    {
        for (int start = 0; ;)
        {
            int found = text[start..].IndexOfAnyInRange('\uDC80', '\uDCFF');
            if (found < 0)
                return -1;
            found += start;
            // The low half of a valid surrogate pair follows its high half; a marker never does.
            if (found == 0 || !char.IsHighSurrogate(text[found - 1]))
                return found;
            start = found + 1;
        }
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        int written = 0;
        while (written < buffer.Length)
        {
            if (_secondHalfOwed)
            {
                buffer[written++] = '"';
                _secondHalfOwed = false;
                continue;
            }
            if (_charStart == _charEnd && !Decode())
            {
                EndedInsideQuotes = _quoted && !_afterQuoteInQuotes;
                break;
            }
            ReadOnlySpan<char> chars = _chars.AsSpan(_charStart, Math.Min(_charEnd - _charStart, buffer.Length - written));
            if (_afterQuoteInQuotes)
            {
                // A quote inside a quoted field is half of an escaped "" or the field's closing quote.
                _afterQuoteInQuotes = false;
                if (chars[0] == '"')
                {
                    buffer[written++] = '"';
                    _charStart++;
                    continue;
                }
                _quoted = false;
            }
            int quote = chars.IndexOf('"');
            int plain = quote < 0 ? chars.Length : quote;
            chars[..plain].CopyTo(buffer[written..]);
            written += plain;
            _charStart += plain;
            // Spaces that trimming drops leave the previous character what it was.
            ReadOnlySpan<char> kept = _trim ? chars[..plain].TrimEnd(' ') : chars[..plain];
            if (!kept.IsEmpty)
                _previous = kept[^1];
            if (quote < 0)
                continue;
            _charStart++;
            buffer[written++] = '"';
            if (_quoted)
                _afterQuoteInQuotes = true;
            else if (_previous == '\n' || _previous == '\r' || _previous == _separator)
                _quoted = true;
            else
                _secondHalfOwed = true;
            _previous = '"';
        }
        return written;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _stream.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>
    /// Refuses a UTF-16 or UTF-32 file (its byte order mark says so) rather than read it as garbage, and
    /// skips a UTF-8 byte order mark.
    /// </summary>
    private void CheckEncoding(string path)
    {
        FillBytes();
        ReadOnlySpan<byte> start = _bytes.AsSpan(0, _byteEnd);
        if (start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || start.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || start.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF]))
            throw new ModelDataException($"{path}: the file is UTF-16 or UTF-32 (it starts with a byte order mark); CSV files are read as UTF-8: save it as UTF-8.");
        if (start.StartsWith("\uFEFF"u8))
            _byteStart = 3;
    }

    /// <summary>Decodes the next bytes into <see cref="_chars"/>; false at the end of the file.</summary>
    private bool Decode()
    {
        _charStart = _charEnd = 0;
        while (_charEnd == 0)
        {
            if (_byteEnd - _byteStart < 4 && !_streamEnded)
                FillBytes();
            if (_byteStart == _byteEnd)
                return false;
            OperationStatus status = Utf8.ToUtf16(_bytes.AsSpan(_byteStart, _byteEnd - _byteStart), _chars, out int read, out int written,
                replaceInvalidSequences: false, isFinalBlock: _streamEnded);
            _byteStart += read;
            _charEnd = written;
            // With 4 bytes at hand (or the file's last ones) the next character is either decoded or invalid.
            if (status == OperationStatus.InvalidData && _charEnd < _chars.Length)
            {
                _chars[_charEnd++] = (char)(0xDC00 + _bytes[_byteStart++]);
                HadInvalidBytes = true;
            }
        }
        if (!HadQuotes && _chars.AsSpan(0, _charEnd).Contains('"'))
            HadQuotes = true;
        return true;
    }

    /// <summary>Moves the bytes not yet decoded to the front and fills the buffer after them (less at the end of the file).</summary>
    private void FillBytes()
    {
        int left = _byteEnd - _byteStart;
        _bytes.AsSpan(_byteStart, left).CopyTo(_bytes);
        (_byteStart, _byteEnd) = (0, left);
        while (_byteEnd < BufferSize && !_streamEnded)
        {
            int read = _stream.Read(_bytes, _byteEnd, BufferSize - _byteEnd);
            _byteEnd += read;
            _streamEnded = read == 0;
        }
    }
}
