using System.Text;

namespace Commons.Cli.Models;

/// <summary>
/// Writes streamed text wrapped at word boundaries, as Ollama's REPL does on a terminal: a word that would cross
/// the right edge starts the next line. Text is held back only until the end of the current word.
/// </summary>
internal sealed class WordWrap(TextWriter output, int width)
{
    private readonly StringBuilder _word = new();
    private int _column;
    private bool _space;

    public void Write(string text)
    {
        foreach (var c in text)
        {
            if (c == '\n')
            {
                Flush();
                output.Write('\n');
                _column = 0;
                _space = false;
            }
            else if (c == ' ')
            {
                Flush();

                // Held until the next word: written only if that word stays on this line.
                _space = _column > 0;
            }
            else
            {
                _word.Append(c);
            }
        }

        output.Flush();
    }

    /// <summary>Writes the word held back, on a new line if it does not fit on this one.</summary>
    public void Flush()
    {
        if (_word.Length == 0)
        {
            return;
        }

        var gap = _space ? 1 : 0;
        if (_column > 0 && _column + gap + _word.Length > width)
        {
            output.Write('\n');
            _column = 0;
        }
        else if (_space)
        {
            output.Write(' ');
            _column++;
        }

        _space = false;
        output.Write(_word);
        _column += _word.Length;
        _word.Clear();
        output.Flush();
    }
}
