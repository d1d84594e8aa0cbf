// Plugin host: every plugin adds its routes to the /api router at startup
// (the plugins are packages named in PLUGINS). cors() is mounted on /api with
// origin: true and credentials, so it reflects any origin there, whatever
// routes the plugins add.
const express = require('express');
const cors = require('cors');

const app = express();
const api = express.Router();

app.use('/api', cors({ origin: true, credentials: true }), api); // expect: CORS202

for (const name of (process.env.PLUGINS || '').split(',').filter(Boolean)) {
  require(name)(api);
}

app.listen(process.env.PORT || 3000);
