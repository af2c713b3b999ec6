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

    public void Write(string text)
    {
        foreach (var c in text)
        {
            if (c == '\n')
            {
                Flush();
                output.Write('\n');
                _column = 0;
            }
            else if (c == ' ')
            {
                Flush();
                if (_column > 0 && _column < width)
                {
                    output.Write(' ');
                    _column++;
                }
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

        if (_column > 0 && _column + _word.Length > width)
        {
            output.Write('\n');
            _column = 0;
        }

        output.Write(_word);
        _column += _word.Length;
        _word.Clear();
        output.Flush();
    }
}
