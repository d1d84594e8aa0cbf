// cors was added at the bottom of the file, after the routes it should cover.
const express = require('express');
const cors = require('cors');

const app = express();

app.get('/api/stats', (req, res) => res.json({ visits: 3 }));
app.post('/api/events', (req, res) => res.sendStatus(202));

app.use(cors({ origin: 'https://dashboard.example.com' })); // expect: CORS501

app.listen(3000);
