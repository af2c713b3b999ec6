using System.Text.Encodings.Web;
using Commons.StandIns.Forge.Profiles;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Commons.StandIns.Forge.DeviceFlow;

/// <summary>
/// The page a person opens at the verification URI: a form with the user code, the profile login to act as, and
/// Authorize or Cancel. There is no password; choosing the login is the sign-in. A test posts the same form.
/// </summary>
internal static class VerificationPage
{
    public static ContentHttpResult Render(
        ForgeKind forge, string action, string? userCode, string? message, int status = StatusCodes.Status200OK)
    {
        var html = HtmlEncoder.Default;
        var notice = message is null ? string.Empty : $"  <p class=\"notice\">{html.Encode(message)}</p>\n";
        var page = $"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Device activation - {forge}</title></head>
            <body>
              <h1>Device activation</h1>
              <p>Enter the code shown on your device, and the {forge} login of the profile account to sign in as.
                 This is the forge stand-in used for tests.</p>
            {notice}  <form method="post" action="{html.Encode(action)}">
                <p><label>Code <input name="user_code" value="{html.Encode(userCode ?? string.Empty)}"
                   autocomplete="off" placeholder="XXXX-XXXX"></label></p>
                <p><label>Login <input name="login" autocomplete="username"></label></p>
                <p><button name="action" value="approve">Authorize</button>
                   <button name="action" value="deny">Cancel</button></p>
              </form>
            </body>
            </html>
            """;
        return TypedResults.Text(page, "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>Approves or denies a code as the login the form names, and says how that went.</summary>
    public static async Task<ContentHttpResult> DecideAsync(
        ForgeKind forge, HttpContext context, World world, DeviceAuthorizations flows)
    {
        var action = context.Request.Path;
        if (!context.Request.HasFormContentType)
        {
            return Render(forge, action, null, "Send the form, please.", StatusCodes.Status400BadRequest);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var userCode = form["user_code"].ToString().Trim();
        var login = form["login"].ToString().Trim();
        var decision = form["action"].ToString();
        if (userCode.Length == 0)
        {
            return Render(forge, action, null, "Enter the code shown on your device.", StatusCodes.Status400BadRequest);
        }

        if (world.FindAccount(forge, login) is not { } account)
        {
            return Render(
                forge, action, userCode, $"There is no {forge} account named '{login}'.", StatusCodes.Status400BadRequest);
        }

        if (decision is not ("approve" or "deny"))
        {
            return Render(forge, action, userCode, "Choose Authorize or Cancel.", StatusCodes.Status400BadRequest);
        }

        var approve = decision == "approve";
        var refusal = flows.Decide(forge, userCode, account, approve) switch
        {
            DecisionOutcome.Decided => null,
            DecisionOutcome.Expired => "That code has expired. Start again on your device.",
            DecisionOutcome.AlreadyDecided => "That code was already used.",
            _ => "That code is not valid. Check it and try again.",
        };
        if (refusal is not null)
        {
            return Render(forge, action, userCode, refusal, StatusCodes.Status400BadRequest);
        }

        return Render(forge, action, null, approve
            ? $"Congratulations, you're all set! {account.Login} authorized the device."
            : "Access denied: the device was not authorized.");
    }
}
