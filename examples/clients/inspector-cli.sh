# Node >= 22.19: MCP Inspector 2 (its CLI; without --cli it opens the UI)
npx -y @modelcontextprotocol/inspector@2.12.0 --cli "http://localhost:3000/mcp" --transport http --header "Authorization: Bearer $TOKEN" --method tools/list
npx -y @modelcontextprotocol/inspector@2.12.0 --cli "http://localhost:3000/mcp" --transport http --header "Authorization: Bearer $TOKEN" --method tools/call --tool-name gmail_list-emails --tool-arg maxResults=5
npx -y @modelcontextprotocol/inspector@2.12.0 --cli "http://localhost:3000/mcp?mode=search" --transport http --header "Authorization: Bearer $TOKEN" --method tools/call --tool-name run-read-action --tool-arg tool=gmail_list-emails
# Node 20: `npx @modelcontextprotocol/inspector` resolves to 0.15 there, which has no --header: pass the token in the URL
npx -y @modelcontextprotocol/inspector@0.15.0 --cli "http://localhost:3000/mcp?token=$TOKEN" --transport http --method tools/list
npx -y @modelcontextprotocol/inspector@0.15.0 --cli "http://localhost:3000/mcp?token=$TOKEN" --transport http --method tools/call --tool-name gmail_list-emails --tool-arg maxResults=5
npx -y @modelcontextprotocol/inspector@0.15.0 --cli "http://localhost:3000/mcp?mode=search&token=$TOKEN" --transport http --method tools/call --tool-name run-read-action --tool-arg tool=gmail_list-emails
